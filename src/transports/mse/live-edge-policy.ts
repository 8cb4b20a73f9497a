/**
 * The decision half of live-edge control for the MSE path (no DOM): from a snapshot of the element every
 * ~100 ms, the playback rate to set and, rarely, a forward seek. LiveEdgeDriver applies it to a real <video>.
 *
 * - Small latency errors are corrected by playback rate (pitch is preserved by the element; audio and video
 *   stay in sync since both follow the one media clock): within [0.95, 1.05] during speech, up to 1.10 in
 *   silence, in steps of 0.025, with hysteresis (start correcting a quarter of the target, at least 25 ms,
 *   away from it; stop within 15 ms) and at most one change a second, so the rate neither hunts nor changes
 *   every tick.
 * - Speech is not sped up when the excess can go with silence instead: the policy waits for a silent range
 *   coming up within 2 s and catches up inside it, faster than it would during speech. A seek across
 *   silence is made only for an excess of 400 ms or more: a seek restarts the element's decoders, which
 *   costs it 100–300 ms of playback, more than a smaller skip would win.
 * - A jump towards the live edge only when it wins more than a seek costs: at the start (a server may send
 *   the GOP on air at once, so that decoding starts without waiting for the next keyframe), when more than
 *   1 s behind target, or in the 2 s after a stall of over 1 s (its backlog is not chased by rate). A jump
 *   lands at least 200 ms behind the newest media: Chromium resumes after a seek only with about that much
 *   buffered ahead, and landing closer just waits there. At most one seek a second.
 * - No speeding up in the 4 s after playback resumed (start, seek, stall): Chromium refills its audio queue
 *   then, and draining it stalls playback for half a second.
 * - Never a backwards seek; rate 1 while waiting for data.
 *
 * Latency here is how far playback is behind the newest media the network delivered. With bursty delivery
 * the buffered end moves in steps, so the live edge is estimated as the furthest (buffered end − wall clock)
 * seen in the last 1.5 s, carried forward at wall-clock speed: it does not saw-tooth with the bursts and does
 * not lag behind a rate change.
 */

export interface PlaybackSnapshot {
  /** A monotonic clock, ms. */
  nowMs: number;
  /** The element's position, s. */
  currentTime: number;
  /** End of the buffered range that holds currentTime, s. */
  bufferedEnd: number;
  /** The element is stalled for want of data. */
  waiting: boolean;
  /** How far behind the newest media playback should be: max(configured latency, jitter depth), ms. */
  targetLatencyMs: number;
  /** Media-time ranges whose audio is silent; may be empty. */
  silentRanges: ReadonlyArray<readonly [number, number]>;
}

export type LiveEdgeReason = 'steady' | 'catch-up' | 'slow-down' | 'skip-silence' | 'jump-to-live';

export interface LiveEdgeAction {
  playbackRate: number;
  /** A forward seek to make now (always later than the snapshot's currentTime). */
  seekTo?: number;
  reason: LiveEdgeReason;
}

export const MIN_RATE = 0.95;
/** Fastest while speech plays. */
export const MAX_RATE = 1.05;
/** Fastest in silence: nothing to hear sped up, and the idle face barely changes. */
export const MAX_SILENT_RATE = 1.1;
const RATE_STEP = 0.025;
/** The most a rate moves back towards 1 in one tick. */
const EASE_STEP = 0.05;
/** Rate offset per ms of latency error: 200 ms behind → +0.10, as far as the bounds allow. */
const RATE_PER_MS = 0.1 / 200;
/** A correction starts this share of the target away from it, and never closer than MIN_ENTER_MS. */
const ENTER_SHARE_OF_TARGET = 0.25;
const MIN_ENTER_MS = 25;
const CORRECTED_WITHIN_MS = 15;
const RATE_HOLD_MS = 1000;
const EDGE_WINDOW_MS = 1500;
/** No rate correction or silence skip until the live-edge estimate has seen this much (after start, a seek or a stall). */
const EDGE_WARMUP_MS = 1000;
const MAX_EDGE_SAMPLES = 64;
const FAR_BEHIND_MS = 1000;
/** Chromium resumes after a seek (and starts) only with about this much buffered ahead. */
const RESUME_BUFFER_MS = 200;
/** A jump must win at least this much over staying: the seek itself costs the element 100–300 ms. */
const MIN_JUMP_GAIN_MS = 300;
/** At the start nothing plays yet worth keeping: a smaller gain is still worth a jump. */
const MIN_START_GAIN_MS = 150;
/**
 * Chromium's audio renderer runs dry above rate 1 with less than about this much buffered (measured: `waiting`
 * at 132–150 ms ahead, rates 1.025–1.05), then stalls 300–700 ms: a catch-up stops short of it.
 */
const MIN_AHEAD_TO_SPEED_UP_MS = 170;
const LONG_STALL_MS = 1000;
const AFTER_STALL_MS = 2000;
const MIN_SKIP_S = 0.1;
/** A seek across silence must win at least this much: the seek itself costs the element 100–300 ms. */
const MIN_SILENCE_SEEK_EXCESS_MS = 400;
/** Land this far before the end of a silent range, not on the first syllable after it. */
const SILENCE_END_GUARD_S = 0.05;
const SILENCE_LOOKAHEAD_S = 2;
/** After a seek the element needs a moment to settle (it may briefly wait for the decoder). */
const SEEK_COOLDOWN_MS = 1000;
/** No speeding up this soon after playback resumed (see settled()). */
const SETTLE_MS = 4000;

type Mode = 'steady' | 'catch-up' | 'slow-down';

export class LiveEdgePolicy {
  private mode: Mode = 'steady';
  private rate = 1;
  private rateChangedAtMs = -Infinity;
  private seekedAtMs = -Infinity;
  private waitingSinceMs: number | undefined;
  private longStallEndedAtMs = -Infinity;
  private started = false;
  /** When playback last resumed after waiting (a start, a seek, a stall). */
  private resumedAtMs = -Infinity;
  /** (buffered end − wall clock) samples, s, for the live-edge estimate. */
  private edges: { atMs: number; edge: number }[] = [];

  decide(snapshot: PlaybackSnapshot): LiveEdgeAction {
    const { nowMs, waiting } = snapshot;
    if (waiting) {
      this.waitingSinceMs ??= nowMs;
      this.edges = [];
      this.mode = 'steady';
      this.rate = 1; // nothing plays: no renderer to ease
      return { playbackRate: 1, reason: 'steady' };
    }
    if (this.waitingSinceMs !== undefined) {
      if (nowMs - this.waitingSinceMs > LONG_STALL_MS) this.longStallEndedAtMs = nowMs;
      this.waitingSinceMs = undefined;
      this.resumedAtMs = nowMs;
    }
    this.recordEdge(snapshot);
    const jump = this.jumpToLive(snapshot);
    if (jump) return jump;
    if (nowMs - this.edges[0]!.atMs < EDGE_WARMUP_MS) return { playbackRate: this.rate, reason: this.rate === 1 ? 'steady' : this.mode };
    return this.skipSilence(snapshot) ?? this.adjustRate(snapshot);
  }

  private jumpToLive(s: PlaybackSnapshot): LiveEdgeAction | undefined {
    const starting = !this.started;
    this.started = true;
    if (s.nowMs - this.seekedAtMs < SEEK_COOLDOWN_MS) return undefined;
    const landing = s.bufferedEnd - Math.max(s.targetLatencyMs, RESUME_BUFFER_MS) / 1000;
    const gainMs = (landing - s.currentTime) * 1000;
    const bufferedExcessMs = (s.bufferedEnd - s.currentTime) * 1000 - s.targetLatencyMs;
    const afterLongStall = s.nowMs - this.longStallEndedAtMs <= AFTER_STALL_MS;
    const worth = starting ? gainMs >= MIN_START_GAIN_MS : bufferedExcessMs > FAR_BEHIND_MS || (afterLongStall && gainMs >= MIN_JUMP_GAIN_MS);
    return worth ? this.seek('jump-to-live', landing, s) : undefined;
  }

  private skipSilence(s: PlaybackSnapshot): LiveEdgeAction | undefined {
    if (this.excessMs(s) < MIN_SILENCE_SEEK_EXCESS_MS || s.nowMs - this.seekedAtMs < SEEK_COOLDOWN_MS) return undefined;
    const range = silentRangeAt(s);
    if (!range) return undefined;
    const to = Math.min(range[1] - SILENCE_END_GUARD_S, s.bufferedEnd - s.targetLatencyMs / 1000);
    return to - s.currentTime >= MIN_SKIP_S ? this.seek('skip-silence', to, s) : undefined;
  }

  private adjustRate(s: PlaybackSnapshot): LiveEdgeAction {
    const excess = this.excessMs(s);
    const bufferedExcess = (s.bufferedEnd - s.currentTime) * 1000 - s.targetLatencyMs;
    this.mode = nextMode(this.mode, excess, bufferedExcess, enterMs(s));
    if (this.mode === 'catch-up' && (s.bufferedEnd - s.currentTime) * 1000 < MIN_AHEAD_TO_SPEED_UP_MS) this.mode = 'steady';
    const silent = silentRangeAt(s) !== undefined;
    if (this.mode === 'catch-up' && !silent && this.silenceComing(s)) return this.setRate('steady', 1, s.nowMs);
    if (this.mode === 'steady') return this.setRate('steady', 1, s.nowMs);
    if (this.mode === 'catch-up' && !this.settled(s.nowMs)) return this.setRate('steady', 1, s.nowMs);
    const wanted = quantise(1 + excess * RATE_PER_MS * (silent ? 2 : 1), silent ? MAX_SILENT_RATE : MAX_RATE);
    const rate = this.mode === 'catch-up' ? Math.max(1 + RATE_STEP, wanted) : Math.min(1 - RATE_STEP, wanted);
    return this.setRate(this.mode, rate, s.nowMs);
  }

  /**
   * Chromium refills its audio queue for a few seconds after it resumed (a start, a seek, a stall); speeding
   * up then drains it and stalls playback for half a second, which costs more than the catch-up wins.
   */
  private settled(nowMs: number): boolean {
    return nowMs - Math.max(this.seekedAtMs, this.resumedAtMs) >= SETTLE_MS;
  }

  /** A silent range ahead, within reach, long enough to skip: wait for it rather than speed up speech. */
  private silenceComing(s: PlaybackSnapshot): boolean {
    return s.silentRanges.some(
      ([start, end]) => start > s.currentTime && start - s.currentTime <= SILENCE_LOOKAHEAD_S && end - SILENCE_END_GUARD_S - start >= MIN_SKIP_S,
    );
  }

  private seek(reason: 'jump-to-live' | 'skip-silence', to: number, s: PlaybackSnapshot): LiveEdgeAction | undefined {
    if (!(to > s.currentTime + MIN_SKIP_S / 2)) return undefined;
    this.seekedAtMs = s.nowMs;
    this.edges = [];
    this.mode = 'steady';
    this.rate = 1;
    this.rateChangedAtMs = s.nowMs;
    return { playbackRate: 1, seekTo: to, reason };
  }

  /**
   * Changes the rate only when it differs and the last change has settled. Slowing towards 1 is never held,
   * but goes down in steps of at most EASE_STEP a tick: Chromium's audio renderer, dropped from a fast rate
   * straight to 1 with a short buffer, runs dry and stalls for half a second.
   */
  private setRate(reason: LiveEdgeReason, rate: number, nowMs: number): LiveEdgeAction {
    const easing = Math.abs(rate - 1) < Math.abs(this.rate - 1) && Math.sign(rate - 1) !== -Math.sign(this.rate - 1);
    if (easing) rate = this.rate > rate ? Math.max(rate, this.rate - EASE_STEP) : Math.min(rate, this.rate + EASE_STEP);
    if (rate !== this.rate && (easing || nowMs - this.rateChangedAtMs >= RATE_HOLD_MS)) {
      this.rate = Number(rate.toFixed(3));
      this.rateChangedAtMs = nowMs;
    }
    return { playbackRate: this.rate, reason: this.rate === 1 ? 'steady' : reason };
  }

  private recordEdge(s: PlaybackSnapshot): void {
    this.edges.push({ atMs: s.nowMs, edge: s.bufferedEnd - s.nowMs / 1000 });
    while (this.edges.length > MAX_EDGE_SAMPLES || this.edges[0]!.atMs < s.nowMs - EDGE_WINDOW_MS) this.edges.shift();
  }

  /** Estimated latency above target, ms. */
  private excessMs(s: PlaybackSnapshot): number {
    const edge = Math.max(...this.edges.map((e) => e.edge)) + s.nowMs / 1000;
    return (edge - s.currentTime) * 1000 - s.targetLatencyMs;
  }
}

/**
 * Hysteresis: a correction starts well outside the target and runs until close to it. Speeding up also
 * needs the buffer itself to be ahead (not only the estimate), so that a delivery hiccup is not chased.
 */
function nextMode(mode: Mode, excessMs: number, bufferedExcessMs: number, enter: number): Mode {
  if (mode === 'catch-up') return excessMs > CORRECTED_WITHIN_MS ? 'catch-up' : 'steady';
  if (mode === 'slow-down') return excessMs < -CORRECTED_WITHIN_MS ? 'slow-down' : 'steady';
  if (excessMs > enter && bufferedExcessMs > enter) return 'catch-up';
  if (excessMs < -enter) return 'slow-down';
  return 'steady';
}

/** How far from the target a correction starts, ms. */
function enterMs(s: PlaybackSnapshot): number {
  return Math.max(MIN_ENTER_MS, s.targetLatencyMs * ENTER_SHARE_OF_TARGET);
}

function silentRangeAt(s: PlaybackSnapshot): readonly [number, number] | undefined {
  return s.silentRanges.find(([start, end]) => start <= s.currentTime && s.currentTime < end);
}

function quantise(rate: number, max: number): number {
  const stepped = Math.round(rate / RATE_STEP) * RATE_STEP;
  return Math.min(max, Math.max(MIN_RATE, Number(stepped.toFixed(3))));
}
