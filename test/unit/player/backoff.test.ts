import { describe, expect, it } from 'vitest';
import { RECONNECT_BACKOFF, backoffDelay } from '../../../src/backoff.js';

describe('backoffDelay', () => {
  const noJitter = { ...RECONNECT_BACKOFF, jitter: 0 };

  it('doubles from 0.5 s up to 8 s', () => {
    const delays = Array.from({ length: 8 }, (_, i) => backoffDelay(i + 1, noJitter));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
  });

  it('gives up after maxAttempts', () => {
    expect(backoffDelay(RECONNECT_BACKOFF.maxAttempts + 1, RECONNECT_BACKOFF)).toBeNull();
    expect(backoffDelay(0, RECONNECT_BACKOFF)).toBeNull();
    expect(backoffDelay(1.5, RECONNECT_BACKOFF)).toBeNull();
  });

  it('spreads the delay by the jitter fraction', () => {
    expect(backoffDelay(1, RECONNECT_BACKOFF, () => 0)).toBe(400);
    expect(backoffDelay(1, RECONNECT_BACKOFF, () => 0.5)).toBe(500);
    expect(backoffDelay(1, RECONNECT_BACKOFF, () => 0.999999)).toBe(600);
  });
});
