/** Figures from the frames a watch recorded (bench/page.ts): windows, latency, frame rate, stall recovery. */
import type { FrameSample } from './page.js';
import { summary } from './stats.js';

export type Summary = ReturnType<typeof summary>;

/** Frames presented in [fromMs, toMs) after the first frame. */
export function framesBetween(frames: FrameSample[], fromMs: number, toMs = Infinity): FrameSample[] {
  return frames.filter((frame) => frame.atMs >= fromMs && frame.atMs < toMs);
}

function defined(values: (number | null)[]): number[] {
  return values.filter((value): value is number => value !== null);
}

type Figure = 'latencyMs' | 'bufferMs' | 'targetBufferMs' | 'jitterDepthMs' | 'playbackRate';

/** One of the player's figures over the frames that have it. */
export function summaryOf(frames: FrameSample[], figure: Figure): Summary {
  return summary(defined(frames.map((frame) => frame[figure])));
}

/**
 * Delivery lag, frame by frame: latency minus the buffer as it stood when the frame was displayed (the buffer
 * is read in the frame callback, which a busy page runs late). That is how old the newest buffered media was at
 * that moment, less its own duration: what delivery, remux and append add on top of the buffer.
 */
export function deliveryLagOf(frames: FrameSample[]): Summary {
  return summary(
    frames.flatMap((frame) => (frame.latencyMs === null || frame.bufferMs === null ? [] : [frame.latencyMs - (frame.bufferMs + frame.readLateMs)])),
  );
}

/** Frames presented per second between the first and the last recorded frame. */
export function frameRateOf(frames: FrameSample[]): number {
  const first = frames[0];
  const last = frames.at(-1);
  if (!first || !last || last.atMs <= first.atMs) return Number.NaN;
  return (last.presentedFrames - first.presentedFrames) / ((last.atMs - first.atMs) / 1000);
}

/** Frames the element dropped between the first and the last recorded frame. */
export function droppedOf(frames: FrameSample[]): number {
  const first = frames[0];
  const last = frames.at(-1);
  return first && last ? last.droppedFrames - first.droppedFrames : Number.NaN;
}

export interface StallRecovery {
  /** Latency of the frames in the window before the stall. */
  before: Summary;
  /** Latency of the first frame presented after forwarding resumed. */
  firstAfterResumeMs: number | null;
  /** Highest latency after the resume. */
  maxAfterResumeMs: number | null;
  /** From the resume until latency stays within 1 s of the pre-stall median (null: it never does). */
  msToWithin1s: number | null;
  /** The same, within 100 ms. */
  msToWithin100ms: number | null;
  /** Frames presented per second in the first 2 s after the resume (seeks and re-buffering show here). */
  frameRateAfterResume: number;
  /** Latency and buffer over the last 2 s of the window after the stall. */
  lastTwoSeconds: { latency: Summary; buffer: Summary };
}

const LAST_WINDOW_MS = 2_000;
const AFTER_RESUME_MS = 2_000;

/**
 * `before`: frames from the end of start-up to the stall; `after`: every frame from the resume to the end
 * of the watch, which ends at `endMs`.
 */
export function stallRecovery(before: FrameSample[], after: FrameSample[], resumedAtMs: number, endMs: number): StallRecovery {
  const baseline = summaryOf(before, 'latencyMs');
  const withLatency = after.filter((frame) => frame.latencyMs !== null);
  const last = framesBetween(after, endMs - LAST_WINDOW_MS);
  return {
    before: baseline,
    firstAfterResumeMs: withLatency[0]?.latencyMs ?? null,
    maxAfterResumeMs: withLatency.length > 0 ? Math.max(...defined(withLatency.map((frame) => frame.latencyMs))) : null,
    msToWithin1s: settledAfter(withLatency, baseline.median, 1_000, resumedAtMs),
    msToWithin100ms: settledAfter(withLatency, baseline.median, 100, resumedAtMs),
    frameRateAfterResume: frameRateOf(framesBetween(after, resumedAtMs, resumedAtMs + AFTER_RESUME_MS)),
    lastTwoSeconds: { latency: summaryOf(last, 'latencyMs'), buffer: summaryOf(last, 'bufferMs') },
  };
}

/** ms from `fromMs` to the frame from which on every latency is within `toleranceMs` of `target`. */
function settledAfter(frames: FrameSample[], target: number, toleranceMs: number, fromMs: number): number | null {
  if (frames.length === 0 || Number.isNaN(target)) return null;
  let settledAt: number | null = null;
  for (const frame of frames) {
    const within = Math.abs(frame.latencyMs! - target) <= toleranceMs;
    if (!within) settledAt = null;
    else settledAt ??= frame.atMs;
  }
  return settledAt === null ? null : settledAt - fromMs;
}
