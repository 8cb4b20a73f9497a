import { describe, expect, it } from 'vitest';
import { ClockOffsetEstimator, type ClockSample } from '../../../../src/sync/clock-offset.js';

/** A ping sent at client time `sentAt`, with the server clock `offset` ms ahead of the client's. */
function exchange(sentAt: number, offset: number, upMs: number, downMs: number): ClockSample {
  return { t0: sentAt, t1: sentAt + upMs + offset, t2: sentAt + upMs + downMs };
}

/** Deterministic jitter (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ClockOffsetEstimator', () => {
  it('knows nothing before the first sample', () => {
    const estimator = new ClockOffsetEstimator();
    expect(estimator.estimate()).toBeUndefined();
    expect(estimator.offsetMs()).toBeUndefined();
  });

  it('is exact with symmetric delays', () => {
    const estimator = new ClockOffsetEstimator();
    estimator.add(exchange(1000, 3_600_000, 20, 20));
    expect(estimator.estimate()).toEqual({ offsetMs: 3_600_000, uncertaintyMs: 20, rttMs: 40, samples: 1 });
  });

  it('keeps the error within rtt/2 with asymmetric delays (5 ms up, 45 ms down)', () => {
    const estimator = new ClockOffsetEstimator();
    estimator.add(exchange(1000, -250, 5, 45));
    const estimate = estimator.estimate()!;
    expect(estimate.rttMs).toBe(50);
    expect(estimate.offsetMs).toBe(-250 - 20);
    expect(Math.abs(estimate.offsetMs - -250)).toBeLessThanOrEqual(estimate.uncertaintyMs);
  });

  it('picks the sample with the smallest round trip', () => {
    const estimator = new ClockOffsetEstimator();
    const offset = 12_345;
    estimator.add(exchange(0, offset, 5, 95));
    estimator.add(exchange(1000, offset, 2, 4));
    estimator.add(exchange(2000, offset, 60, 10));
    estimator.add(exchange(3000, offset, 30, 30));
    const estimate = estimator.estimate()!;
    expect(estimate.rttMs).toBe(6);
    expect(estimate.offsetMs).toBe(offset - 1);
    expect(estimate.samples).toBe(4);
  });

  it('stays within the best round trip under jitter', () => {
    const next = random(7);
    const estimator = new ClockOffsetEstimator();
    const offset = -98_765.4;
    let bestRtt = Infinity;
    for (let i = 0; i < 40; i++) {
      const up = 1 + next() * 80;
      const down = 1 + next() * 80;
      estimator.add(exchange(i * 1000, offset, up, down));
      if (i >= 40 - 16) bestRtt = Math.min(bestRtt, up + down);
      const estimate = estimator.estimate()!;
      expect(Math.abs(estimate.offsetMs - offset)).toBeLessThanOrEqual(estimate.uncertaintyMs + 1e-9);
    }
    expect(estimator.estimate()!.rttMs).toBeCloseTo(bestRtt, 9);
    expect(estimator.estimate()!.samples).toBe(16);
  });

  it('rejects impossible samples', () => {
    const estimator = new ClockOffsetEstimator();
    expect(estimator.add({ t0: 100, t1: 5, t2: 99 })).toBe(false);
    expect(estimator.add({ t0: Number.NaN, t1: 5, t2: 200 })).toBe(false);
    expect(estimator.add({ t0: 0, t1: Number.POSITIVE_INFINITY, t2: 200 })).toBe(false);
    expect(estimator.add({ t0: 0, t1: 5, t2: 60_000 })).toBe(false);
    expect(estimator.estimate()).toBeUndefined();
    expect(estimator.add({ t0: 0, t1: 5, t2: 10 })).toBe(true);
    expect(estimator.estimate()!.offsetMs).toBe(0);
  });

  it('keeps at most windowSize samples and forgets samples older than maxAgeMs', () => {
    const estimator = new ClockOffsetEstimator({ windowSize: 4, maxAgeMs: 10_000 });
    estimator.add(exchange(0, 50, 1, 1));
    for (let i = 1; i <= 10; i++) estimator.add(exchange(i * 100, 50, 10, 10));
    expect(estimator.estimate()!.samples).toBe(4);
    expect(estimator.estimate()!.rttMs).toBe(20);

    const aging = new ClockOffsetEstimator({ windowSize: 100, maxAgeMs: 10_000 });
    aging.add(exchange(0, 50, 1, 1));
    aging.add(exchange(5_000, 50, 10, 10));
    expect(aging.estimate()!.rttMs).toBe(2);
    aging.add(exchange(10_500, 50, 10, 10));
    expect(aging.estimate()!.samples).toBe(2);
    expect(aging.estimate()!.rttMs).toBe(20);
  });

  it('follows a server clock step after two samples that agree, not one', () => {
    const estimator = new ClockOffsetEstimator();
    for (let i = 0; i < 8; i++) estimator.add(exchange(i * 1000, 0, 3, 3));
    estimator.add(exchange(8000, 500, 10, 10));
    expect(estimator.offsetMs()).toBe(0);
    estimator.add(exchange(9000, 500, 12, 12));
    expect(estimator.offsetMs()).toBe(500);
    expect(estimator.estimate()!.samples).toBe(2);
  });

  it('ignores a single wild answer', () => {
    const estimator = new ClockOffsetEstimator();
    for (let i = 0; i < 4; i++) estimator.add(exchange(i * 1000, 40, 3, 3));
    estimator.add(exchange(4000, 40_000, 1, 1));
    estimator.add(exchange(5000, 40, 3, 3));
    estimator.add(exchange(6000, 40, 3, 3));
    expect(estimator.offsetMs()).toBe(40);
  });

  it('follows a step smaller than the round trip once the window has moved past the best sample', () => {
    const estimator = new ClockOffsetEstimator({ windowSize: 16 });
    estimator.add(exchange(0, 0, 2, 2));
    // 15 ms: within every sample's ±20 ms bounds, so nothing proves a step
    for (let i = 1; i < 16; i++) {
      estimator.add(exchange(i * 1000, 15, 20, 20));
      expect(estimator.offsetMs()).toBe(0);
    }
    estimator.add(exchange(16_000, 15, 20, 20));
    expect(estimator.offsetMs()).toBe(15);
  });

  it('tracks a drifting server clock within rtt/2 plus the drift over the window', () => {
    const estimator = new ClockOffsetEstimator({ windowSize: 16, maxAgeMs: 120_000 });
    const driftPerMs = 200e-6;
    const next = random(3);
    for (let i = 0; i < 200; i++) {
      const sentAt = i * 2000;
      const offset = 1000 + sentAt * driftPerMs;
      estimator.add(exchange(sentAt, offset, 2 + next() * 20, 2 + next() * 20));
      const estimate = estimator.estimate()!;
      const windowDrift = 16 * 2000 * driftPerMs;
      expect(Math.abs(estimate.offsetMs - offset)).toBeLessThanOrEqual(estimate.uncertaintyMs + windowDrift);
    }
  });

  it('starts over when the client clock goes back', () => {
    const estimator = new ClockOffsetEstimator();
    estimator.add(exchange(10_000, 7, 1, 1));
    estimator.add(exchange(2_000, 900, 5, 5));
    expect(estimator.estimate()).toMatchObject({ offsetMs: 900, samples: 1 });
  });
});
