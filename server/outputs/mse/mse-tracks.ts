import type { Clip } from '../../clips/clip.js';
import type { TrackInfo } from '../../../workers/media-sample.js';
import { avc1SampleEntry, opusSampleEntry, writeInitSegment } from '../../../workers/fmp4/index.js';

/** The two tracks of the MSE stream; their ids and timescales never change, whatever the clip. */
export const VIDEO_TRACK = { id: 1, timescale: 90000 } as const;
export const AUDIO_TRACK = { id: 2, timescale: 48000 } as const;

/**
 * Pre-skip 0: the timeline already delays each clip's video by its Opus pre-skip, so the priming samples are
 * played, exactly as a WebRTC receiver plays them.
 */
const PRE_SKIP = 0;

export function mseTracksOf(clip: Clip): TrackInfo[] {
  const { video, audio } = clip;
  return [
    {
      id: VIDEO_TRACK.id,
      kind: 'video',
      codec: video.codec,
      timescale: VIDEO_TRACK.timescale,
      sampleEntry: avc1SampleEntry(video.width, video.height, video.avcC),
      width: video.width,
      height: video.height,
    },
    {
      id: AUDIO_TRACK.id,
      kind: 'audio',
      codec: 'opus',
      timescale: AUDIO_TRACK.timescale,
      sampleEntry: opusSampleEntry(audio.channels, PRE_SKIP, audio.sampleRate),
      sampleRate: audio.sampleRate,
      channels: audio.channels,
    },
  ];
}

const initSegments = new WeakMap<Clip, Uint8Array>();

/**
 * The init segment (ftyp + moov) for a clip's codec configuration, made once per clip and shared by all
 * viewers. Two clips need a new init segment between them exactly when these bytes differ.
 */
export function initSegmentOf(clip: Clip): Uint8Array {
  let init = initSegments.get(clip);
  if (!init) {
    init = writeInitSegment(mseTracksOf(clip));
    initSegments.set(clip, init);
  }
  return init;
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a === b || (a !== undefined && a.length === b.length && a.every((byte, i) => byte === b[i]));
}
