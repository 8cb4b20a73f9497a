import { PROTOCOL_VERSION, type ClockMessage } from '../../src/protocol.js';

/** An RTP stream's mapping from stream time (seconds) to its 32-bit RTP timestamps. */
export interface RtpClock {
  timestampOf(pts: number): number;
}

/** Stream seconds between clock samples. */
export const CLOCK_INTERVAL_S = 1;

/**
 * Decides when a viewer gets a `clock` message and fills it in: with the first sample it is sent, then about
 * once per second of stream, and at once again after `reset()` (e.g. after a skip). `time` is the wall clock at
 * which the playout sends the sample with that pts; in WebRTC sessions `rtp` gives that pts on each RTP track.
 */
export class ClockSampler {
  private lastPts: number | undefined;

  constructor(
    private readonly wallClockOf: (pts: number) => number,
    private readonly rtp?: { video: RtpClock; audio: RtpClock },
  ) {}

  /** The clock message to send along with the sample at `pts`, if one is due. */
  sampleFor(pts: number): ClockMessage | undefined {
    if (this.lastPts !== undefined && pts - this.lastPts < CLOCK_INTERVAL_S) return undefined;
    this.lastPts = pts;
    const message: ClockMessage = { v: PROTOCOL_VERSION, type: 'clock', pts, time: this.wallClockOf(pts) };
    if (this.rtp) message.rtp = { video: this.rtp.video.timestampOf(pts), audio: this.rtp.audio.timestampOf(pts) };
    return message;
  }

  /** The next sample gets a fresh clock message. */
  reset(): void {
    this.lastPts = undefined;
  }
}
