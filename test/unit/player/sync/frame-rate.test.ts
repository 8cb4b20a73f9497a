import { describe, expect, it } from 'vitest';
import { FrameRateMeter } from '../../../../src/sync/frame-rate.js';

describe('FrameRateMeter', () => {
  it('needs two samples that span time', () => {
    const meter = new FrameRateMeter();
    expect(meter.rate()).toBeUndefined();
    meter.add({ time: 0, presentedFrames: 10 });
    expect(meter.rate()).toBeUndefined();
  });

  it('measures presented frames per second and dropped frames over the window', () => {
    const meter = new FrameRateMeter(2000);
    // 25 fps for 3 s, one frame dropped every second
    for (let ms = 0; ms <= 3000; ms += 40) meter.add({ time: ms, presentedFrames: ms / 40, droppedFrames: Math.floor(ms / 1000) });
    const rate = meter.rate()!;
    expect(rate.fps).toBeCloseTo(25, 6);
    expect(rate.windowS).toBeCloseTo(2, 6);
    expect(rate.droppedFrames).toBe(2);
  });

  it('follows a change of rate within the window', () => {
    const meter = new FrameRateMeter(1000);
    let frames = 0;
    for (let ms = 0; ms < 5000; ms += 40) meter.add({ time: ms, presentedFrames: (frames += 1) });
    for (let ms = 5000; ms <= 7000; ms += 100) meter.add({ time: ms, presentedFrames: (frames += 1) });
    expect(meter.rate()!.fps).toBeCloseTo(10, 6);
  });

  it('starts over when the counters restart (a new media source)', () => {
    const meter = new FrameRateMeter();
    meter.add({ time: 0, presentedFrames: 500, droppedFrames: 9 });
    meter.add({ time: 100, presentedFrames: 503, droppedFrames: 9 });
    meter.add({ time: 200, presentedFrames: 2, droppedFrames: 0 });
    expect(meter.rate()).toBeUndefined();
    meter.add({ time: 400, presentedFrames: 8, droppedFrames: 1 });
    expect(meter.rate()).toEqual({ fps: 30, droppedFrames: 1, windowS: 0.2 });
  });

  it('reports no dropped frames when the counter is not supplied', () => {
    const meter = new FrameRateMeter();
    meter.add({ time: 0, presentedFrames: 0 });
    meter.add({ time: 1000, presentedFrames: 30 });
    expect(meter.rate()).toEqual({ fps: 30, droppedFrames: undefined, windowS: 1 });
  });

  it('keeps memory bounded', () => {
    const meter = new FrameRateMeter(1_000_000);
    for (let i = 1; i <= 10_000; i++) meter.add({ time: i, presentedFrames: i });
    expect(meter.rate()!.windowS).toBeLessThanOrEqual(0.512);
  });
});
