import { describe, expect, it } from 'vitest';
import { receiveCountersOf, receiveFigures } from '../../../src/transports/webrtc/receive-stats.js';
import { chromium } from './fixtures/chromium-webrtc.js';

const counters = (at: number, over: Partial<Record<string, number>> = {}) => ({
  at,
  bytesReceived: 0,
  packetsReceived: 0,
  packetsLost: 0,
  jitterBufferDelay: 0,
  jitterBufferTargetDelay: 0,
  jitterBufferEmittedCount: 0,
  ...over,
});

describe('WebRTC receive figures', () => {
  it('reads audio and video inbound-rtp from a real Chromium report', () => {
    const read = receiveCountersOf(chromium['stats-connected'], 0);
    expect(read?.bytesReceived).toBeGreaterThan(0);
    expect(read?.packetsReceived).toBeGreaterThan(0);
    expect(read?.jitterBufferEmittedCount).toBeGreaterThan(0);
  });

  it('turns two snapshots into bitrate, loss and jitter buffer delay per frame', () => {
    const before = counters(0, { bytesReceived: 10_000, packetsReceived: 100, packetsLost: 1, jitterBufferDelay: 1, jitterBufferTargetDelay: 2, jitterBufferEmittedCount: 20 });
    const after = counters(1_000, { bytesReceived: 135_000, packetsReceived: 195, packetsLost: 6, jitterBufferDelay: 2.5, jitterBufferTargetDelay: 3.25, jitterBufferEmittedCount: 45 });
    expect(receiveFigures(before, after)).toEqual({ bitrateKbps: 1_000, packetLoss: 0.05, jitterBufferMs: 60, jitterTargetMs: 50 });
  });

  it('knows nothing across a restart of the counters, nor without time or frames', () => {
    expect(receiveFigures(counters(0, { bytesReceived: 5 }), counters(1_000))).toBeUndefined();
    expect(receiveFigures(counters(5), counters(5))).toBeUndefined();
    const figures = receiveFigures(counters(0), counters(1_000));
    expect(figures).toEqual({ bitrateKbps: 0, packetLoss: undefined, jitterBufferMs: undefined, jitterTargetMs: undefined });
  });

  it('never reports negative loss when late packets lower packetsLost', () => {
    expect(receiveFigures(counters(0, { packetsLost: 5 }), counters(1_000, { packetsReceived: 50, packetsLost: 3 }))?.packetLoss).toBe(0);
  });
});
