import { describe, expect, it } from 'vitest';
import { ByteRate } from '../../../src/transports/byte-rate.js';

describe('ByteRate', () => {
  it('counts the bytes of the last second as kbit/s', () => {
    const rate = new ByteRate();
    for (let at = 0; at < 2_000; at += 100) rate.add(12_500, at);
    expect(rate.kbps(1_950)).toBe(1_000);
  });

  it('falls to 0 when nothing arrives for a second', () => {
    const rate = new ByteRate();
    rate.add(50_000, 0);
    expect(rate.kbps(500)).toBe(400);
    expect(rate.kbps(1_000)).toBe(0);
  });
});
