/**
 * The server's `clock` samples (docs/protocol.md §4.10): stream pts → server wall clock, and, in WebRTC
 * sessions, the RTP timestamps of each track → stream pts. The server streams in real time, so the latest
 * sample describes the whole mapping.
 */

import type { ClockMessage } from '../protocol.js';

export type ClockSampleMessage = Pick<ClockMessage, 'pts' | 'time' | 'rtp'>;

const VIDEO_RTP_HZ = 90_000;
const AUDIO_RTP_HZ = 48_000;
const RTP_MODULUS = 2 ** 32;

interface RtpAnchor {
  pts: number;
  video: number;
  audio: number;
}

export class StreamTimeline {
  /** Server wall clock (ms) of stream time 0, from the latest sample. */
  private epochMs: number | undefined;
  /** From the latest sample that carried `rtp`. */
  private rtp: RtpAnchor | undefined;

  addClock(sample: ClockSampleMessage): void {
    if (!Number.isFinite(sample.pts) || !Number.isFinite(sample.time)) return;
    this.epochMs = sample.time - sample.pts * 1000;
    const { rtp } = sample;
    if (rtp && isRtpTimestamp(rtp.video) && isRtpTimestamp(rtp.audio)) {
      this.rtp = { pts: sample.pts, video: rtp.video, audio: rtp.audio };
    }
  }

  /** When the media at stream time `pts` (s) left the server (ms since the epoch, server clock). */
  serverTimeOf(pts: number): number | undefined {
    if (this.epochMs === undefined || !Number.isFinite(pts)) return undefined;
    return this.epochMs + pts * 1000;
  }

  /** Stream time (s) of a video RTP timestamp (90 kHz), within ±2^31 ticks (≈ 6.6 h) of the latest sample. */
  ptsOfVideoRtp(timestamp: number): number | undefined {
    return this.rtp && ptsOfRtp(timestamp, this.rtp.video, this.rtp.pts, VIDEO_RTP_HZ);
  }

  /** Stream time (s) of an audio RTP timestamp (48 kHz), within ±2^31 ticks (≈ 12.4 h) of the latest sample. */
  ptsOfAudioRtp(timestamp: number): number | undefined {
    return this.rtp && ptsOfRtp(timestamp, this.rtp.audio, this.rtp.pts, AUDIO_RTP_HZ);
  }

  reset(): void {
    this.epochMs = undefined;
    this.rtp = undefined;
  }
}

function ptsOfRtp(timestamp: number, anchorTimestamp: number, anchorPts: number, clockHz: number): number | undefined {
  if (!isRtpTimestamp(timestamp)) return undefined;
  return anchorPts + signedRtpDifference(timestamp, anchorTimestamp) / clockHz;
}

/** `a − b` on the 32-bit RTP timestamp circle, as a signed 32-bit value: unwraps across 2^32. */
export function signedRtpDifference(a: number, b: number): number {
  return (a - b) | 0;
}

function isRtpTimestamp(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < RTP_MODULUS;
}
