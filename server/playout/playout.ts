import { performance } from 'node:perf_hooks';
import type { Timeline, TimelineSample } from './timeline.js';

export type SampleListener = (sample: TimelineSample) => void;

/** Longest sleep between checks, so that a late timer never holds samples back for long. */
const MAX_SLEEP_MS = 20;
/** Bounds the current GOP kept for new viewers, should a clip have no keyframe for a long time. */
const MAX_GOP_SAMPLES = 2000;

/** Milliseconds since the Unix epoch, from a monotonic source. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Plays a timeline in real time: each sample is handed to every listener when the wall clock
 * reaches its pts. `epochMs` is the wall-clock time of pts 0, so pts ↔ wall clock is one addition.
 */
export class Playout {
  readonly epochMs = wallClockMs();
  private readonly listeners = new Set<SampleListener>();
  private pending: TimelineSample;
  private sent: TimelineSample | undefined;
  /** Every sample since the last video keyframe, that one included. */
  private gop: TimelineSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeline: Timeline,
    private readonly onError: (error: unknown) => void,
  ) {
    this.pending = timeline.next();
  }

  start(): void {
    if (!this.timer) this.tick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  subscribe(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The samples already sent since the last video keyframe: a new viewer can start decoding at once from
   * them instead of waiting up to a GOP for the next keyframe.
   */
  currentGop(): readonly TimelineSample[] {
    return this.gop;
  }

  /** The clip on air: the one whose sample was sent last. */
  get nowPlaying(): string | undefined {
    return this.sent?.clip.name;
  }

  /** Clips put on air since the playout began (each idle loop counts): every change is a splice. */
  get clipsPlayed(): number {
    return this.sent ? this.sent.clipSequence + 1 : 0;
  }

  /** Wall-clock time (ms since the Unix epoch) at which the sample with this pts is sent. */
  wallClockOf(pts: number): number {
    return this.epochMs + pts * 1000;
  }

  /** The stream position that is due now. */
  positionNow(): number {
    return (wallClockMs() - this.epochMs) / 1000;
  }

  /** One failing viewer must not stop the playout for the others. */
  private deliver(listener: SampleListener, sample: TimelineSample): void {
    try {
      listener(sample);
    } catch (error) {
      this.onError(error);
    }
  }

  private remember(sample: TimelineSample): void {
    if (sample.kind === 'video' && sample.keyframe) this.gop = [];
    if (this.gop.length < MAX_GOP_SAMPLES) this.gop.push(sample);
  }

  private tick = (): void => {
    const now = wallClockMs();
    try {
      while (this.wallClockOf(this.pending.pts) <= now) {
        const sample = this.pending;
        this.pending = this.timeline.next();
        this.sent = sample;
        this.remember(sample);
        for (const listener of this.listeners) this.deliver(listener, sample);
      }
    } catch (error) {
      this.onError(error); // the timeline could not go on; the next tick tries again
    }
    const sleep = Math.min(MAX_SLEEP_MS, Math.max(1, this.wallClockOf(this.pending.pts) - now));
    this.timer = setTimeout(this.tick, sleep);
  };
}
