/**
 * Applies the LiveEdgePolicy to a real <video>: reads where playback is against what is buffered,
 * sets the playback rate (pitch preserved) and makes the forward seeks the policy asks for.
 */

import { LiveEdgePolicy, type PlaybackSnapshot } from './live-edge-policy.js';

type TimeRange = readonly [number, number];

export interface LiveEdgeDriverOptions {
  /** Target delay behind the newest buffered media, in ms. */
  targetMs: number;
  /** Told where playback is, about once a second (the remuxer trims behind it). */
  onPlayhead(currentTime: number): void;
  log(message: string): void;
}

const TICK_MS = 100;
const PLAYHEAD_REPORT_MS = 1_000;
/**
 * Waiting this close to the end of a range with another range after it means stuck at a gap:
 * Chromium stops short of a hole (its audio renderer wants data ahead), not at its edge.
 */
const GAP_STUCK_S = 0.5;
/** Chromium plays over small holes itself (the start of a stream included); only a lasting wait is stuck. */
const STUCK_AFTER_MS = 250;
/** A switch to another path lands up to about this much later than planned: it must still fall in silence. */
const QUIET_AHEAD_S = 0.15;

export class LiveEdgeDriver {
  private readonly policy = new LiveEdgePolicy();
  private timer: ReturnType<typeof setInterval> | undefined;
  private waiting = false;
  private waitingSinceMs = 0;
  private jitterDepthMs = 0;
  /** Undefined until the worker first says where the silence is (never, for a stream without audio). */
  private silentRanges: readonly TimeRange[] | undefined;
  private lastPlayheadReport = -Infinity;
  private lastReason = '';

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: LiveEdgeDriverOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.video.preservesPitch = true;
    this.video.addEventListener('waiting', this.onWaiting);
    this.video.addEventListener('playing', this.onPlaying);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.video.removeEventListener('waiting', this.onWaiting);
    this.video.removeEventListener('playing', this.onPlaying);
    this.video.playbackRate = 1;
  }

  setJitterDepth(ms: number): void {
    this.jitterDepthMs = ms;
  }

  setSilentRanges(ranges: readonly TimeRange[]): void {
    this.silentRanges = ranges;
  }

  /** The current target: the page's, or more when delivery is burstier than that. */
  get targetMs(): number {
    return Math.max(this.options.targetMs, this.jitterDepthMs);
  }

  /** True when the audio at the playhead is silent for at least the next QUIET_AHEAD_S; undefined when unknown. */
  get quietNow(): boolean | undefined {
    const now = this.video.currentTime;
    return this.silentRanges?.some(([from, to]) => from <= now && to - now >= QUIET_AHEAD_S);
  }

  /** How far playback is behind the newest buffered media, in ms; undefined before any media. */
  get lagMs(): number | undefined {
    const range = this.rangeAround(this.video.currentTime);
    return range && (range[1] - this.video.currentTime) * 1000;
  }

  private tick(): void {
    const { video } = this;
    if (video.readyState === HTMLMediaElement.HAVE_NOTHING || video.seeking) return;
    const now = performance.now();
    if (now - this.lastPlayheadReport >= PLAYHEAD_REPORT_MS) {
      this.lastPlayheadReport = now;
      this.options.onPlayhead(video.currentTime);
    }
    if (this.waiting && now - this.waitingSinceMs >= STUCK_AFTER_MS && this.escapeGap()) return;
    const range = this.rangeAround(video.currentTime);
    if (!range) return;
    const snapshot: PlaybackSnapshot = {
      nowMs: now,
      currentTime: video.currentTime,
      bufferedEnd: range[1],
      waiting: this.waiting,
      targetLatencyMs: this.targetMs,
      silentRanges: this.silentRanges ?? [],
    };
    const action = this.policy.decide(snapshot);
    if (action.reason !== this.lastReason) this.options.log(`live edge: ${action.reason}, rate ${action.playbackRate}`);
    this.lastReason = action.reason;
    if (video.playbackRate !== action.playbackRate) video.playbackRate = action.playbackRate;
    if (action.seekTo !== undefined && action.seekTo > video.currentTime) video.currentTime = action.seekTo;
  }

  /**
   * Playback waits before or between buffered ranges (a trimmed start, a dropped stretch), or at the end
   * of one with more media after it: move on to the next range. Only ever forward.
   */
  private escapeGap(): boolean {
    const { video } = this;
    const range = this.rangeAround(video.currentTime);
    if (range && range[1] - video.currentTime >= GAP_STUCK_S) return false;
    const { buffered } = video;
    for (let i = 0; i < buffered.length; i++) {
      if (buffered.start(i) > video.currentTime) {
        this.options.log(`live edge: skipping a gap from ${video.currentTime.toFixed(3)} to ${buffered.start(i).toFixed(3)}`);
        video.currentTime = buffered.start(i);
        return true;
      }
    }
    return false;
  }

  /** The buffered range that holds `time`, allowing for the small slack Chromium leaves at range edges. */
  private rangeAround(time: number): TimeRange | undefined {
    const { buffered } = this.video;
    for (let i = 0; i < buffered.length; i++) {
      if (time >= buffered.start(i) - 0.001 && time <= buffered.end(i) + 0.001) return [buffered.start(i), buffered.end(i)];
    }
    return undefined;
  }

  private readonly onWaiting = (): void => {
    if (!this.waiting) this.waitingSinceMs = performance.now();
    this.waiting = true;
  };

  private readonly onPlaying = (): void => {
    this.waiting = false;
  };
}
