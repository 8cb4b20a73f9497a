import { describe, expect, it } from 'vitest';
import { LiveEdgePolicy, MAX_RATE, MAX_SILENT_RATE, MIN_RATE, type LiveEdgeReason } from '../../../src/transports/mse/live-edge-policy.js';

/**
 * A little element: the media is made in real time (media time t is produced at wall time t); `delivered`
 * says how far it has reached the buffer at a wall time. Playback advances at the rate while there is data,
 * waits at the end of the buffer and resumes once 50 ms are buffered again. The policy is asked every 100 ms.
 */
interface Scenario {
  seconds: number;
  targetMs: number;
  /** Buffered end (media s) at wall time ms. */
  delivered: (wallMs: number) => number;
  /** Initial latency behind the delivered media, ms. */
  startLatencyMs: number;
  silentRanges?: [number, number][];
}

interface Tick {
  wallMs: number;
  currentTime: number;
  bufferedEnd: number;
  /** Behind the live edge (media made so far), ms. */
  latencyMs: number;
  rate: number;
  reason: LiveEdgeReason;
  waiting: boolean;
}

interface Run {
  ticks: Tick[];
  seeks: { from: number; to: number; reason: LiveEdgeReason }[];
  rateChanges: number;
}

const STEP_MS = 10;
const TICK_MS = 100;
const RESUME_S = 0.05;
const START_MS = 1000;

function simulate({ seconds, targetMs, delivered, startLatencyMs, silentRanges = [] }: Scenario): Run {
  const policy = new LiveEdgePolicy();
  let currentTime = delivered(START_MS) - startLatencyMs / 1000;
  let rate = 1;
  let waiting = false;
  const ticks: Tick[] = [];
  const seeks: Run['seeks'] = [];
  let rateChanges = 0;
  for (let wallMs = START_MS; wallMs <= START_MS + seconds * 1000; wallMs += STEP_MS) {
    const bufferedEnd = delivered(wallMs);
    if (waiting && bufferedEnd - currentTime >= RESUME_S) waiting = false;
    if (!waiting) currentTime = Math.min(bufferedEnd, currentTime + (rate * STEP_MS) / 1000);
    if (!waiting && currentTime >= bufferedEnd) waiting = true;
    if (wallMs % TICK_MS !== 0) continue;
    const action = policy.decide({ nowMs: wallMs, currentTime, bufferedEnd, waiting, targetLatencyMs: targetMs, silentRanges });
    if (action.playbackRate !== rate) rateChanges++;
    rate = action.playbackRate;
    if (action.seekTo !== undefined) {
      seeks.push({ from: currentTime, to: action.seekTo, reason: action.reason });
      expect(action.seekTo).toBeLessThanOrEqual(bufferedEnd);
      currentTime = action.seekTo;
    }
    ticks.push({ wallMs, currentTime, bufferedEnd, latencyMs: (wallMs / 1000 - currentTime) * 1000, rate, reason: action.reason, waiting });
  }
  return { ticks, seeks, rateChanges };
}

/** Real-time delivery in 20 ms pieces (one audio frame at a time). */
const realTime = (wallMs: number) => Math.floor(wallMs / 20) * 0.02;
const inBursts = (periodMs: number) => (wallMs: number) => Math.floor(wallMs / periodMs) * (periodMs / 1000);

/** Forward seeks only; rates within bounds: the speech bound outside silence, the silent one inside. */
function expectSane(run: Run, silentRanges: [number, number][] = []): void {
  for (const seek of run.seeks) expect(seek.to).toBeGreaterThan(seek.from);
  for (const tick of run.ticks) {
    const silent = silentRanges.some(([start, end]) => start <= tick.currentTime && tick.currentTime < end);
    expect(tick.rate).toBeGreaterThanOrEqual(MIN_RATE);
    expect(tick.rate).toBeLessThanOrEqual(silent ? MAX_SILENT_RATE : MAX_RATE);
    if (tick.waiting) expect(tick.rate).toBe(1);
  }
}

function ticksBetween(run: Run, fromS: number, toS: number): Tick[] {
  return run.ticks.filter((t) => t.wallMs >= START_MS + fromS * 1000 && t.wallMs < START_MS + toS * 1000);
}

describe('LiveEdgePolicy', () => {
  it('holds a steady stream at its target with rate 1', () => {
    const run = simulate({ seconds: 60, targetMs: 200, delivered: realTime, startLatencyMs: 200 });
    expectSane(run);
    expect(run.rateChanges).toBe(0);
    expect(run.seeks).toEqual([]);
    for (const tick of run.ticks) expect(Math.abs(tick.latencyMs - 200)).toBeLessThanOrEqual(30);
  });

  it('starts near the live edge when the stream begins with a backlog (the GOP on air), not for a small one', () => {
    const backlog = simulate({ seconds: 10, targetMs: 100, delivered: realTime, startLatencyMs: 500 });
    expectSane(backlog);
    expect(backlog.seeks).toHaveLength(1);
    expect(backlog.seeks[0]!.reason).toBe('jump-to-live');
    expect(backlog.ticks[0]!.bufferedEnd - backlog.seeks[0]!.to).toBeCloseTo(0.2, 3); // Chromium's resume buffer
    const small = simulate({ seconds: 10, targetMs: 100, delivered: realTime, startLatencyMs: 250 });
    expect(small.seeks).toEqual([]);
  });

  it('brings back latency that crept up, within the rate bounds and without a seek', () => {
    // At 5 s the producer releases 0.7 s it had held back: playback is suddenly that much further behind.
    const crept = (wallMs: number) => realTime(wallMs) + (wallMs >= 6_000 ? 0.7 : 0);
    const run = simulate({ seconds: 60, targetMs: 200, delivered: crept, startLatencyMs: 200 });
    expectSane(run);
    expect(run.seeks).toEqual([]);
    expect(Math.max(...run.ticks.map((t) => t.rate))).toBeGreaterThan(1);
    for (const tick of ticksBetween(run, 20, 60)) expect(Math.abs((tick.bufferedEnd - tick.currentTime) * 1000 - 200)).toBeLessThanOrEqual(100);
    expect(run.rateChanges).toBeLessThanOrEqual(10);
  });

  it('keeps up with a producer whose clock runs 2 % fast, changing rate rarely', () => {
    const run = simulate({ seconds: 120, targetMs: 200, delivered: (wallMs) => realTime(wallMs * 1.02), startLatencyMs: 200 });
    expectSane(run);
    expect(run.seeks).toEqual([]);
    // Latency behind what was delivered (the producer's clock is the fast one here).
    for (const tick of run.ticks) expect((tick.bufferedEnd - tick.currentTime) * 1000).toBeLessThanOrEqual(200 + 150);
    expect(run.rateChanges).toBeLessThanOrEqual(48); // ≤ one change every 2.5 s
  });

  it('catches up in silence, not by speeding up speech, and seeks across silence only when far behind', () => {
    const silentRanges: [number, number][] = Array.from({ length: 40 }, (_, k) => [2 * k + 1.4, 2 * k + 1.9]);
    const crept = (wallMs: number) => realTime(wallMs) + (wallMs >= 3_000 ? 0.6 : 0);
    const run = simulate({ seconds: 60, targetMs: 200, delivered: crept, startLatencyMs: 200, silentRanges });
    expectSane(run, silentRanges);
    for (const seek of run.seeks) {
      expect(seek.reason).toBe('skip-silence');
      expect(seek.to - seek.from).toBeGreaterThanOrEqual(0.1);
      expect(silentRanges.some(([start, end]) => start <= seek.from && seek.to <= end)).toBe(true);
    }
    const seekStarts = run.seeks.map((seek) => run.ticks.find((tick) => tick.currentTime === seek.to)!);
    for (const tick of seekStarts) expect(tick.wallMs).toBeLessThan(START_MS + 8_000);
    const spedUpSpeech = run.ticks.filter((t) => t.rate > 1 && !silentRanges.some(([start, end]) => start <= t.currentTime && t.currentTime < end));
    expect(spedUpSpeech.length).toBeLessThanOrEqual(10); // one rate hold (1 s) at most, straddling a range's end
    for (const tick of ticksBetween(run, 10, 60)) expect(Math.abs((tick.bufferedEnd - tick.currentTime) * 1000 - 200)).toBeLessThanOrEqual(120);
  });

  it('corrects a small excess by rate, never by a seek, which would cost more than it wins', () => {
    const silentRanges: [number, number][] = [[0, 1000]];
    const crept = (wallMs: number) => realTime(wallMs) + (wallMs >= 3_000 ? 0.2 : 0);
    const run = simulate({ seconds: 20, targetMs: 200, delivered: crept, startLatencyMs: 200, silentRanges });
    expectSane(run, silentRanges);
    expect(run.seeks).toEqual([]);
    for (const tick of ticksBetween(run, 8, 20)) expect(Math.abs((tick.bufferedEnd - tick.currentTime) * 1000 - 200)).toBeLessThanOrEqual(40);
  });

  it('never speeds up with less than 170 ms buffered, where the audio renderer runs dry: a 100 ms target ends there', () => {
    const silentRanges: [number, number][] = [[0, 1000]];
    const crept = (wallMs: number) => realTime(wallMs) + (wallMs >= 3_000 ? 0.2 : 0);
    const run = simulate({ seconds: 20, targetMs: 100, delivered: crept, startLatencyMs: 100, silentRanges });
    expectSane(run, silentRanges);
    for (const tick of run.ticks.filter((t) => t.rate > 1)) expect((tick.bufferedEnd - tick.currentTime) * 1000).toBeGreaterThanOrEqual(170 - 25);
    for (const tick of ticksBetween(run, 8, 20)) expect((tick.bufferedEnd - tick.currentTime) * 1000).toBeLessThanOrEqual(220);
  });

  it('jumps back to the live edge within 1 s of target after a 3 s stall and its backlog', () => {
    const stalled = (wallMs: number) => (wallMs >= 10_000 && wallMs < 13_000 ? realTime(10_000) : realTime(wallMs));
    const run = simulate({ seconds: 30, targetMs: 200, delivered: stalled, startLatencyMs: 200 });
    expectSane(run);
    expect(run.ticks.some((t) => t.waiting)).toBe(true);
    expect(run.seeks.map((s) => s.reason)).toEqual(['jump-to-live']);
    const resumed = run.ticks.filter((t) => t.wallMs >= 13_200);
    for (const tick of resumed) expect(Math.abs(tick.latencyMs - 200)).toBeLessThanOrEqual(1000);
    for (const tick of resumed.filter((t) => t.wallMs >= 15_000)) expect(Math.abs(tick.latencyMs - 200)).toBeLessThanOrEqual(60);
  });

  it('recovers from a 3 s stall after which the stream skipped ahead, without chasing it by rate', () => {
    // The server skipped the stalled media and the rebaser closed the gap: delivery resumes where it was.
    const skipped = (wallMs: number) => (wallMs < 10_000 ? realTime(wallMs) : wallMs < 13_000 ? realTime(10_000) : realTime(wallMs - 3000));
    const run = simulate({ seconds: 30, targetMs: 200, delivered: skipped, startLatencyMs: 200 });
    expectSane(run);
    expect(run.seeks).toEqual([]);
    for (const tick of run.ticks.filter((t) => t.wallMs >= 20_000)) expect(Math.abs((tick.bufferedEnd - tick.currentTime) * 1000 - 200)).toBeLessThanOrEqual(60);
    expect(run.rateChanges).toBeLessThanOrEqual(4);
  });

  it('does not hunt when delivery comes in bursts the target covers', () => {
    const run = simulate({ seconds: 60, targetMs: 450, delivered: inBursts(400), startLatencyMs: 250 });
    expectSane(run);
    expect(run.ticks.some((t) => t.waiting)).toBe(false);
    expect(run.seeks).toEqual([]);
    expect(run.rateChanges).toBeLessThanOrEqual(2);
  });

  it('never seeks backwards, whatever the delivery', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const steps: number[] = [];
    for (let wallMs = 0, media = 0; wallMs <= 40_000; wallMs += 10) {
      if (random() < 0.08) media = Math.max(media, wallMs / 1000 + random() * 0.5);
      steps.push(media);
    }
    const erratic = (wallMs: number) => steps[Math.min(steps.length - 1, Math.floor(wallMs / 10))]!;
    const silentRanges: [number, number][] = Array.from({ length: 15 }, (_, k) => [2.5 * k + 1, 2.5 * k + 1.6]);
    const run = simulate({ seconds: 38, targetMs: 150, delivered: erratic, startLatencyMs: 100, silentRanges });
    expectSane(run, silentRanges);
    run.ticks.slice(1).forEach((tick, i) => {
      if (tick.currentTime < run.ticks[i]!.currentTime) throw new Error(`currentTime went back at ${tick.wallMs} ms`);
    });
  });
});
