import type { MediaSample, TrackInfo } from '../media-sample.js';
import { spsOfSampleEntry } from './avc-config.js';
import { parseSps, type H264Sps } from './h264-sps.js';
import { profileName, reorderWindow } from './reorder-window.js';

export type ContractWarningCode = 'b-frames' | 'reorder-window';

export interface ContractWarning {
  code: ContractWarningCode;
  message: string;
}

const MS = 1000;

/**
 * Checks a stream against what low-latency playback needs from its encoder: no B-frames, and an H.264 SPS that
 * lets the decoder show each frame as soon as it is decoded. Each warning is given at most once per init.
 */
export class EncoderContract {
  private videoTracks = new Map<number, TrackInfo>();
  private warned = new Set<ContractWarningCode>();

  /** A new codec configuration: forgets earlier warnings and checks the video tracks' SPS. */
  checkInit(tracks: readonly TrackInfo[]): ContractWarning[] {
    this.videoTracks = new Map(tracks.filter((track) => track.kind === 'video').map((track) => [track.id, track]));
    this.warned = new Set();
    const warnings: ContractWarning[] = [];
    for (const track of this.videoTracks.values()) {
      for (const nal of spsOfSampleEntry(track.sampleEntry)) {
        const sps = parseSps(nal);
        const warning = sps && this.reorderWarning(sps);
        if (warning) warnings.push(warning);
      }
    }
    return warnings;
  }

  checkSample(sample: MediaSample): ContractWarning[] {
    const track = this.videoTracks.get(sample.trackId);
    if (!track || sample.cto === 0 || this.warned.has('b-frames')) return [];
    this.warned.add('b-frames');
    const delayMs = Math.round((Math.abs(sample.cto) / track.timescale) * MS);
    return [
      {
        code: 'b-frames',
        message:
          `The video has B-frames (a frame is shown ${delayMs} ms after it is decoded): latency grows by this reorder delay, ` +
          'and WebRTC senders must not use B-frames. Encode without them (x264: -bf 0, or the baseline profile).',
      },
    ];
  }

  private reorderWarning(sps: H264Sps): ContractWarning | undefined {
    const frames = reorderWindow(sps);
    if (frames === 0 || this.warned.has('reorder-window')) return undefined;
    this.warned.add('reorder-window');
    const signalled = sps.maxNumReorderFrames !== undefined;
    const duration = sps.frameRate ? ` ≈ ${Math.round((frames / sps.frameRate) * MS)} ms` : ` (${frames} × the frame duration)`;
    return {
      code: 'reorder-window',
      message:
        `The H.264 SPS (${profileName(sps.profileIdc, sps.constraintFlags)} profile) ` +
        (signalled ? `signals max_num_reorder_frames = ${frames}` : 'does not signal max_num_reorder_frames = 0 (VUI bitstream_restriction)') +
        `, so the decoder may hold up to ${frames} frames${duration} before showing one. ` +
        'Use the (constrained) baseline profile, or an encoder that writes max_num_reorder_frames = 0.',
    };
  }
}
