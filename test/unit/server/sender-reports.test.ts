import { describe, expect, it } from 'vitest';
import { ntpFromUnixMs } from '../../../server/outputs/webrtc/sender-reports.js';

describe('NTP timestamps in sender reports', () => {
  it('encodes the fraction of a second as a 32-bit binary fraction', () => {
    const ntp = ntpFromUnixMs(Date.UTC(2026, 0, 1) + 250);
    expect(Number(ntp & 0xffffffffn)).toBe(2 ** 30);
    expect(Number(ntp >> 32n)).toBe(Date.UTC(2026, 0, 1) / 1000 + 2_208_988_800);
  });

  it('is monotonic and resolves single milliseconds', () => {
    const base = Date.UTC(2026, 10, 24, 12, 0, 0);
    let previous = ntpFromUnixMs(base);
    for (let ms = 1; ms <= 2000; ms++) {
      const next = ntpFromUnixMs(base + ms);
      const stepSeconds = Number(next - previous) / 2 ** 32;
      expect(stepSeconds).toBeCloseTo(0.001, 6);
      previous = next;
    }
  });
});
