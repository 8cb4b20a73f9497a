import type { TimelineSample } from '../../playout/timeline.js';
import type { MediaSample } from '../../../workers/media-sample.js';
import { writeMediaSegment } from '../../../workers/fmp4/index.js';
import { AUDIO_TRACK, VIDEO_TRACK } from './mse-tracks.js';
import { endTicks, toTrackTicks } from './stream-ticks.js';

/**
 * Turns playout samples into fMP4 fragments (moof + mdat) of one sample each, numbered in order.
 * Decode time = stream pts × the track's timescale, so the fragments carry the playout timeline as it is.
 */
export class MseFragmenter {
  private sequenceNumber = 0;

  fragmentOf(sample: TimelineSample): Uint8Array {
    this.sequenceNumber++;
    const track = sample.kind === 'video' ? VIDEO_TRACK : AUDIO_TRACK;
    return writeMediaSegment(this.sequenceNumber, [{ trackId: track.id, samples: [toMediaSample(sample, track)] }]);
  }
}

function toMediaSample(sample: TimelineSample, track: typeof VIDEO_TRACK | typeof AUDIO_TRACK): MediaSample {
  const dts = toTrackTicks(sample.pts, track.timescale);
  return {
    trackId: track.id,
    dts,
    cto: 0, // clips have no B-frames: decode order is presentation order
    duration: endTicks(sample.pts, sample.duration, track.timescale) - dts,
    keyframe: sample.kind === 'audio' || sample.keyframe,
    data: sample.data,
  };
}
