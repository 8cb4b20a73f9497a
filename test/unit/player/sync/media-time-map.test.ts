import { describe, expect, it } from 'vitest';
import { MediaTimeMap } from '../../../../src/sync/media-time-map.js';

describe('MediaTimeMap', () => {
  it('knows nothing before the first anchor', () => {
    expect(new MediaTimeMap().streamTimeOf(1)).toBeUndefined();
  });

  it('maps media time through the anchor in force', () => {
    const map = new MediaTimeMap();
    map.addAnchor(0, 1843.2);
    map.addAnchor(10, 2.0); // a restarted source placed at media time 10
    expect(map.streamTimeOf(0)).toBeCloseTo(1843.2, 9);
    expect(map.streamTimeOf(9.5)).toBeCloseTo(1852.7, 9);
    expect(map.streamTimeOf(10)).toBeCloseTo(2, 9);
    expect(map.streamTimeOf(12.25)).toBeCloseTo(4.25, 9);
  });

  it('lets the oldest anchor cover earlier media times', () => {
    const map = new MediaTimeMap();
    map.addAnchor(5, 100);
    expect(map.streamTimeOf(4)).toBe(99);
  });

  it('drops anchors at or after a newer anchor that maps an earlier media time', () => {
    const map = new MediaTimeMap();
    map.addAnchor(0, 0);
    map.addAnchor(10, 50);
    map.addAnchor(8, 200);
    expect(map.streamTimeOf(11)).toBe(203);
    expect(map.streamTimeOf(7)).toBe(7);
  });

  it('keeps at most 64 anchors', () => {
    const map = new MediaTimeMap();
    for (let i = 0; i < 100; i++) map.addAnchor(i, i * 1000);
    // anchors 0…35 are gone: the oldest kept (36) covers earlier times
    expect(map.streamTimeOf(10)).toBe(36_000 - 26);
    expect(map.streamTimeOf(99.5)).toBe(99_000.5);
  });

  it('ignores non-finite input and forgets on reset', () => {
    const map = new MediaTimeMap();
    map.addAnchor(Number.NaN, 1);
    expect(map.streamTimeOf(0)).toBeUndefined();
    map.addAnchor(0, 1);
    expect(map.streamTimeOf(Number.POSITIVE_INFINITY)).toBeUndefined();
    map.reset();
    expect(map.streamTimeOf(0)).toBeUndefined();
  });
});
