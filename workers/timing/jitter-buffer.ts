/**
 * Groups rebased samples into small per-track fragments for the fMP4 writer, and measures how bursty their
 * delivery is: the playback delay (behind the newest media) that rides out that burstiness is `depthMs`.
 * Samples are not held back here: the MediaSource buffer holds them, and the live-edge control keeps playback
 * `depthMs` (or the page's latency, if larger) behind the newest media.
 *
 * Estimation: each sample's transit delay (arrival − media time) is compared with the smallest transit delay
 * seen recently (the "base", a sample that came as early as the network allows); the difference is how late
 * that sample was. The depth covers the largest lateness seen: it rises to a new peak at once, holds it for
 * `holdMs` (so that bursts a second apart do not saw-tooth it) and then decays exponentially with time
 * constant `decayMs`. A delivery pause longer than `stallMs` is a stall: counted, and the transit base starts
 * over afterwards, so neither the pause nor the backlog that follows it (nor a jump of the stream to the live
 * edge) counts as jitter; the live-edge control jumps after stalls instead of widening the delay for good.
 */

import type { MediaSample } from '../media-sample.js';

/** A run of one track's samples for one fMP4 fragment: contiguous in time, in decode order. */
export interface Fragment {
  trackId: number;
  samples: MediaSample[];
}

export interface JitterStats {
  /** The adaptive playback delay, in ms. */
  depthMs: number;
  /** The lateness the depth currently covers (peak held, then decaying), in ms. */
  jitterMs: number;
  /** Delivery pauses longer than `stallMs`. */
  stalls: number;
}

export interface JitterBufferOptions {
  /** Longest fragment (s, default 0.1: the issue's ≤ 100 ms fragments). */
  maxFragmentSeconds?: number;
  /** Lower clamp of the depth (ms, default 30: about one video frame at 30 fps of slack for the append path). */
  minDepthMs?: number;
  /** Upper clamp (ms, default 1500: more than that is a stall to jump over, not jitter to sit behind). */
  maxDepthMs?: number;
  /** Added to the measured lateness (ms, default 25: covers the last sample's own duration, 21 ms of AAC). */
  marginMs?: number;
  /** No data for longer than this is a stall (ms, default 1000). */
  stallMs?: number;
  /** How long a jitter peak is held before it decays (ms, default 2000: a few burst periods). */
  holdMs?: number;
  /** Decay time constant after the hold (ms, default 5000: excess depth falls to 37 % in 5 s, 5 % in 15 s). */
  decayMs?: number;
}

/** The transit base is the minimum over the last one to two of these windows: follows clock drift and route changes. */
const BASE_WINDOW_MS = 4000;

export class JitterBuffer {
  private pending: { sample: MediaSample; timescale: number }[] = [];
  /** Tracks that have shown a non-keyframe: video, whose runs start at keyframes. */
  private readonly tracksWithDeltaFrames = new Set<number>();
  private readonly maxFragmentSeconds: number;
  private readonly minDepthMs: number;
  private readonly maxDepthMs: number;
  private readonly marginMs: number;
  private readonly stallMs: number;
  private readonly holdMs: number;
  private readonly decayMs: number;
  private lastArrivalMs: number | undefined;
  private baseWindowStartMs = -Infinity;
  private currentWindowMin = Infinity;
  private previousWindowMin = Infinity;
  private peakMs = 0;
  private peakAtMs = 0;
  private stalls = 0;

  constructor(options: JitterBufferOptions = {}) {
    this.maxFragmentSeconds = options.maxFragmentSeconds ?? 0.1;
    this.minDepthMs = options.minDepthMs ?? 30;
    this.maxDepthMs = options.maxDepthMs ?? 1500;
    this.marginMs = options.marginMs ?? 25;
    this.stallMs = options.stallMs ?? 1000;
    this.holdMs = options.holdMs ?? 2000;
    this.decayMs = options.decayMs ?? 5000;
  }

  /** A rebased sample of a track with this timescale, which arrived at `arrivalMs` (a monotonic clock). */
  push(sample: MediaSample, timescale: number, arrivalMs: number): void {
    this.pending.push({ sample, timescale });
    if (!sample.keyframe) this.tracksWithDeltaFrames.add(sample.trackId);
    this.measure((sample.dts / timescale) * 1000, arrivalMs);
  }

  /** Everything pushed since the last drain, as fragments in the order of their first sample. */
  drain(): Fragment[] {
    const fragments: Fragment[] = [];
    const open = new Map<number, { fragment: Fragment; timescale: number }>();
    for (const { sample, timescale } of this.pending) {
      const run = open.get(sample.trackId);
      if (run && this.continues(run.fragment.samples, sample, timescale)) {
        run.fragment.samples.push(sample);
        continue;
      }
      const fragment = { trackId: sample.trackId, samples: [sample] };
      fragments.push(fragment);
      open.set(sample.trackId, { fragment, timescale });
    }
    this.pending = [];
    return fragments;
  }

  get depthMs(): number {
    return Math.min(this.maxDepthMs, Math.max(this.minDepthMs, this.jitterMs + this.marginMs));
  }

  get stats(): JitterStats {
    return { depthMs: this.depthMs, jitterMs: this.jitterMs, stalls: this.stalls };
  }

  /** The lateness the depth covers now (as of the last arrival): the peak, held, then decaying. */
  private get jitterMs(): number {
    const sincePeak = (this.lastArrivalMs ?? 0) - this.peakAtMs;
    if (sincePeak <= this.holdMs) return this.peakMs;
    return this.peakMs * Math.exp(-(sincePeak - this.holdMs) / this.decayMs);
  }

  private continues(run: readonly MediaSample[], sample: MediaSample, timescale: number): boolean {
    const first = run[0]!;
    const last = run[run.length - 1]!;
    if (sample.dts !== last.dts + last.duration) return false;
    if (sample.keyframe && this.tracksWithDeltaFrames.has(sample.trackId)) return false;
    return (sample.dts + sample.duration - first.dts) / timescale <= this.maxFragmentSeconds;
  }

  /**
   * The media timeline was moved (a gap closed, a restart rebased): transit delays measured against the
   * old one say nothing about the new one, and would read as seconds of jitter.
   */
  timelineMoved(arrivalMs: number): void {
    this.restartBase(arrivalMs);
  }

  private measure(mediaMs: number, arrivalMs: number): void {
    if (this.lastArrivalMs !== undefined && arrivalMs - this.lastArrivalMs > this.stallMs) {
      this.stalls++;
      this.restartBase(arrivalMs);
    }
    this.lastArrivalMs = Math.max(arrivalMs, this.lastArrivalMs ?? arrivalMs);
    const lateness = this.lateness(arrivalMs - mediaMs, arrivalMs);
    if (lateness < this.jitterMs) return;
    this.peakMs = lateness;
    this.peakAtMs = this.lastArrivalMs;
  }

  /** How much later than the recent best this transit delay is; updates the windowed minimum. */
  private lateness(transitMs: number, arrivalMs: number): number {
    if (arrivalMs - this.baseWindowStartMs >= BASE_WINDOW_MS) {
      this.previousWindowMin = this.currentWindowMin;
      this.currentWindowMin = Infinity;
      this.baseWindowStartMs = arrivalMs;
    }
    this.currentWindowMin = Math.min(this.currentWindowMin, transitMs);
    return transitMs - Math.min(this.currentWindowMin, this.previousWindowMin);
  }

  private restartBase(arrivalMs: number): void {
    this.previousWindowMin = Infinity;
    this.currentWindowMin = Infinity;
    this.baseWindowStartMs = arrivalMs;
  }
}
