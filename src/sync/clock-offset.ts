/**
 * Estimates how far the server's wall clock is ahead of the client's clock from ping/pong round trips
 * (docs/protocol.md §4.6), NTP-style: of the recent samples, the one with the smallest round trip wins,
 * because its answer time is pinned down most tightly.
 *
 * Client times (`t0`, `t2`) should be `performance.timeOrigin + performance.now()`: monotonic, and in the
 * same time base as `requestVideoFrameCallback`'s display times, so `displayedAt + offsetMs` is server time.
 */

export interface ClockSample {
  /** Client clock (ms) when the ping was sent. */
  t0: number;
  /** Server wall clock (ms since the epoch) when it answered. */
  t1: number;
  /** Client clock (ms) when the pong arrived. */
  t2: number;
}

export interface ClockOffset {
  /** Server clock − client clock, ms. */
  offsetMs: number;
  /** The true offset lies within ± this of `offsetMs` (half the chosen sample's round trip), if the clocks held still. */
  uncertaintyMs: number;
  /** Round trip of the chosen sample, ms. */
  rttMs: number;
  /** Samples in the window. */
  samples: number;
}

export interface ClockOffsetOptions {
  /** Most samples kept. */
  windowSize?: number;
  /** Samples older than this (client ms, relative to the newest) are forgotten. */
  maxAgeMs?: number;
}

/** A round trip longer than this is not a clock measurement worth keeping. */
const MAX_RTT_MS = 30_000;
/** Slack for servers that round `t1` to whole milliseconds. */
const STEP_SLACK_MS = 1;

interface Bounds {
  sample: ClockSample;
  /** The offset is at least `t1 − t2` and at most `t1 − t0`: the server answered between t0 and t2. */
  low: number;
  high: number;
}

export class ClockOffsetEstimator {
  private readonly windowSize: number;
  private readonly maxAgeMs: number;
  private window: Bounds[] = [];
  /** A sample that disagreed with the window: a second disagreeing one confirms a clock step. */
  private suspect: Bounds | undefined;

  constructor(options: ClockOffsetOptions = {}) {
    this.windowSize = Math.max(1, Math.floor(options.windowSize ?? 16));
    this.maxAgeMs = options.maxAgeMs ?? 120_000;
  }

  /** Adds a ping/pong measurement; false (and ignored) when its values are impossible. */
  add(sample: ClockSample): boolean {
    const { t0, t1, t2 } = sample;
    if (![t0, t1, t2].every(Number.isFinite) || t2 < t0 || t2 - t0 > MAX_RTT_MS) return false;
    // The client's own clock went back: nothing measured before is comparable.
    if (this.window.length > 0 && t2 < this.window.at(-1)!.sample.t2) this.reset();
    const bounds: Bounds = { sample: { t0, t1, t2 }, low: t1 - t2, high: t1 - t0 };
    if (!this.fitsOrConfirmsStep(bounds)) return true;
    this.window.push(bounds);
    this.forgetOld(t2);
    return true;
  }

  estimate(): ClockOffset | undefined {
    const best = this.bestBounds();
    if (!best) return undefined;
    return {
      offsetMs: (best.low + best.high) / 2,
      uncertaintyMs: rtt(best) / 2,
      rttMs: rtt(best),
      samples: this.window.length,
    };
  }

  /** Server clock − client clock (ms), once a sample has arrived. */
  offsetMs(): number | undefined {
    return this.estimate()?.offsetMs;
  }

  reset(): void {
    this.window = [];
    this.suspect = undefined;
  }

  /**
   * Every valid sample's bounds contain the true offset while both clocks hold still, so a sample whose
   * bounds miss the best one's means a clock stepped (or drifted that far), or a bad answer. One such
   * sample is held back; a second in a row that agrees with it confirms a step, and the window restarts
   * from the two instead of waiting for the stale samples to age out.
   */
  private fitsOrConfirmsStep(bounds: Bounds): boolean {
    const best = this.bestBounds();
    if (!best || overlaps(best, bounds)) {
      this.suspect = undefined;
      return true;
    }
    if (this.suspect && overlaps(this.suspect, bounds)) {
      this.window = [this.suspect];
      this.suspect = undefined;
      return true;
    }
    this.suspect = bounds;
    return false;
  }

  /** On a tie the newest wins: it has drifted least. */
  private bestBounds(): Bounds | undefined {
    let best: Bounds | undefined;
    for (const bounds of this.window) if (!best || rtt(bounds) <= rtt(best)) best = bounds;
    return best;
  }

  private forgetOld(newestT2: number): void {
    const oldest = newestT2 - this.maxAgeMs;
    this.window = this.window.filter((bounds) => bounds.sample.t2 >= oldest).slice(-this.windowSize);
  }
}

function rtt(bounds: Bounds): number {
  return bounds.high - bounds.low;
}

function overlaps(a: Bounds, b: Bounds): boolean {
  return a.low <= b.high + STEP_SLACK_MS && b.low <= a.high + STEP_SLACK_MS;
}
