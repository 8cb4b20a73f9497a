import { describe, expect, it } from 'vitest';
import { endTicks, toTrackTicks } from '../../../server/outputs/mse/stream-ticks.js';

describe('stream timeline → track ticks', () => {
  it('converts 48 kHz timeline positions to 90 kHz, rounding half up', () => {
    expect(toTrackTicks(0, 90000)).toBe(0);
    expect(toTrackTicks(312 / 48000, 90000)).toBe(585);
    expect(toTrackTicks(4 / 48000, 90000)).toBe(8); // 7.5 → 8
    expect(toTrackTicks(1, 48000)).toBe(48000);
  });

  it('ends a sample exactly where the next one starts', () => {
    let start = 312;
    for (let i = 0; i < 1000; i++) {
      const durationTicks = i % 3 === 0 ? 1917 : 1920;
      expect(endTicks(start / 48000, durationTicks / 48000, 90000)).toBe(toTrackTicks((start + durationTicks) / 48000, 90000));
      start += durationTicks;
    }
  });

  it('stays exact after a month of streaming', () => {
    const month = 31 * 24 * 3600;
    expect(toTrackTicks(month + 0.5, 90000)).toBe(month * 90000 + 45000);
    expect(toTrackTicks(month + 20 / 48000, 90000)).toBe(month * 90000 + 38); // 37.5 → 38
  });
});
