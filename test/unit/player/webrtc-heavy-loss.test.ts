import { describe, expect, it } from 'vitest';
import { DegradedCauses } from '../../../src/transports/webrtc/degraded-causes.js';
import { HeavyLossDetector, inboundVideoSampleOf, type HeavyLossChange, type InboundVideoSample } from '../../../src/transports/webrtc/heavy-loss.js';
import { MediaFlowWatch, packetsReceivedOf } from '../../../src/transports/webrtc/media-flow.js';
import { chromium } from './fixtures/chromium-webrtc.js';

/** One sample a second: `packetsPerSecond` arrive, `lostPerSecond` are lost, `framesPerSecond` decode. */
function feed(detector: HeavyLossDetector, seconds: number, perSecond: { received: number; lost: number; frames: number }, start: InboundVideoSample) {
  let sample = start;
  const results: (HeavyLossChange | undefined)[] = [];
  for (let i = 0; i < seconds; i++) {
    sample = {
      at: sample.at + 1_000,
      packetsReceived: sample.packetsReceived + perSecond.received,
      packetsLost: sample.packetsLost + perSecond.lost,
      framesDecoded: sample.framesDecoded + perSecond.frames,
    };
    results.push(detector.add(sample, true));
  }
  return { results, last: sample };
}

const origin: InboundVideoSample = { at: 0, packetsReceived: 1_000, packetsLost: 0, framesDecoded: 500 };

describe('HeavyLossDetector', () => {
  it('reads the inbound video stream from a real getStats snapshot', () => {
    expect(inboundVideoSampleOf(chromium['stats-connected'], 42)).toEqual({ at: 42, packetsReceived: 54, packetsLost: 0, framesDecoded: 38 });
    expect(inboundVideoSampleOf(chromium['stats-udp-blocked'], 42)).toBeUndefined();
  });

  it('5 % loss (the lab\'s netem scenario) is not heavy', () => {
    const detector = new HeavyLossDetector();
    expect(feed(detector, 20, { received: 95, lost: 5, frames: 30 }, origin).results.every((r) => r === undefined)).toBe(true);
  });

  it('40 % loss over 5 s is heavy, once the 2 s settle time and a full window have passed', () => {
    const detector = new HeavyLossDetector();
    const { results } = feed(detector, 10, { received: 60, lost: 40, frames: 20 }, origin);
    expect(results.slice(0, 6).every((r) => r === undefined)).toBe(true);
    expect(results[6]).toEqual({ kind: 'heavy', description: expect.stringMatching(/40 % of video packets lost over 5 s/) });
    expect(results.slice(7).every((r) => r === undefined)).toBe(true); // reported once, not on every poll
  });

  it('packets arrive but no frame decodes for 4 s → heavy; frames decode again → cleared', () => {
    const detector = new HeavyLossDetector();
    const warm = feed(detector, 3, { received: 100, lost: 0, frames: 30 }, origin);
    const frozen = feed(detector, 5, { received: 100, lost: 0, frames: 0 }, warm.last);
    expect(frozen.results.slice(0, 3).every((r) => r === undefined)).toBe(true);
    expect(frozen.results.find((r) => r !== undefined)).toEqual({ kind: 'heavy', description: expect.stringMatching(/no video frame decoded for 4000 ms/) });
    expect(feed(detector, 1, { received: 100, lost: 0, frames: 30 }, frozen.last).results).toEqual([{ kind: 'cleared' }]);
  });

  it('heavy loss that falls back under the limit is cleared, and a new bout gets its own 10 s', () => {
    const detector = new HeavyLossDetector();
    const lossy = feed(detector, 9, { received: 60, lost: 40, frames: 20 }, origin);
    expect(lossy.results.filter((r) => r !== undefined)).toEqual([{ kind: 'heavy', description: expect.any(String) }]);
    // Clean again: the 5 s window's ratio drops under 25 % after a few seconds.
    const clean = feed(detector, 6, { received: 100, lost: 0, frames: 30 }, lossy.last);
    const cleared = clean.results.findIndex((r) => r !== undefined);
    expect(clean.results[cleared]).toEqual({ kind: 'cleared' });
    expect(cleared).toBeGreaterThanOrEqual(1); // hysteresis from the window: not on the first clean second
    expect(clean.results.slice(cleared + 1).every((r) => r === undefined)).toBe(true);
    // Heavy again for 9 s in all (8 s since its new start): not yet given up, the bout started afresh.
    const again = feed(detector, 9, { received: 30, lost: 70, frames: 10 }, clean.last);
    expect(again.results.filter((r) => r !== undefined).map((r) => r?.kind)).toEqual(['heavy']);
  });

  it('heavy without a break for 10 s → sustained (the path is given up), reported once', () => {
    const detector = new HeavyLossDetector();
    const { results } = feed(detector, 25, { received: 60, lost: 40, frames: 20 }, origin);
    const changes = results.flatMap((r, second) => (r ? [{ second: second + 1, kind: r.kind }] : []));
    expect(changes).toEqual([
      { second: 7, kind: 'heavy' },
      { second: 17, kind: 'sustained' },
    ]);
    expect(results[16]).toEqual({ kind: 'sustained', description: expect.stringMatching(/40 % of video packets lost over 5 s, heavy for 10 s/) });
  });

  it('an outage during heavy loss clears it (the ICE policy owns outages); the bound starts again after it', () => {
    const detector = new HeavyLossDetector();
    const lossy = feed(detector, 8, { received: 60, lost: 40, frames: 20 }, origin);
    expect(lossy.results.filter((r) => r !== undefined).map((r) => r?.kind)).toEqual(['heavy']);
    const outage = feed(detector, 3, { received: 0, lost: 0, frames: 0 }, lossy.last);
    expect(outage.results).toEqual([{ kind: 'cleared' }, undefined, undefined]);
    const after = feed(detector, 12, { received: 60, lost: 40, frames: 20 }, outage.last);
    expect(after.results.filter((r) => r !== undefined).map((r) => r?.kind)).toEqual(['heavy']);
  });

  it('honours shorter limits', () => {
    const detector = new HeavyLossDetector({ maxLossRatio: 0.1, windowMs: 2_000, frozenMs: 60_000, settleMs: 0, failAfterMs: 3_000 });
    const { results } = feed(detector, 8, { received: 80, lost: 20, frames: 20 }, origin);
    // The window spans 2 s from the first sample (second 1) at second 3; 3 s of it later, given up.
    expect(results.flatMap((r, second) => (r ? [[second + 1, r.kind]] : []))).toEqual([
      [3, 'heavy'],
      [6, 'sustained'],
    ]);
  });

  it('an outage (no packets at all) is not heavy loss, nor is the jump in packetsLost after it', () => {
    const detector = new HeavyLossDetector();
    const warm = feed(detector, 4, { received: 100, lost: 0, frames: 30 }, origin);
    const outage = feed(detector, 6, { received: 0, lost: 0, frames: 0 }, warm.last);
    expect(outage.results.every((r) => r === undefined)).toBe(true);
    // Packets flow again: the 600 lost during the outage show up at once.
    const jump = { ...outage.last, at: outage.last.at + 1_000, packetsReceived: outage.last.packetsReceived + 100, packetsLost: 600 };
    expect(detector.add(jump, true)).toBeUndefined();
    expect(feed(detector, 10, { received: 100, lost: 0, frames: 30 }, jump).results.every((r) => r === undefined)).toBe(true);
  });

  it('nothing counts while ICE is not connected', () => {
    const detector = new HeavyLossDetector();
    let sample = origin;
    for (let i = 0; i < 10; i++) {
      sample = { ...sample, at: sample.at + 1_000, packetsReceived: sample.packetsReceived + 10, packetsLost: sample.packetsLost + 90 };
      expect(detector.add(sample, false)).toBeUndefined();
    }
  });
});

describe('DegradedCauses (what the transport emits)', () => {
  it('heavy loss degrades with reason heavy-loss and its description; its end restores', () => {
    const causes = new DegradedCauses();
    expect(causes.start('heavy-loss', 'heavy loss: 40 % of video packets lost over 5 s')).toEqual({
      reason: 'heavy-loss',
      message: 'heavy loss: 40 % of video packets lost over 5 s',
    });
    expect(causes.degraded).toBe(true);
    expect(causes.start('heavy-loss', 'again')).toBeUndefined(); // one degraded per bout
    expect(causes.end('heavy-loss')).toBe(true);
    expect(causes.degraded).toBe(false);
    expect(causes.end('heavy-loss')).toBe(false); // a clear without a bout restores nothing
  });

  it('restored only once every cause has ended; each cause says what it would fail with', () => {
    const causes = new DegradedCauses();
    expect(causes.start('ice-disconnected')).toEqual({ reason: 'ice-failed', message: 'the ICE connection is disconnected' });
    expect(causes.start('heavy-loss')).toEqual({ reason: 'heavy-loss', message: 'heavy packet loss' });
    expect(causes.start('no-frames')).toEqual({ reason: 'heavy-loss', message: 'no video frame presented for over a second' });
    expect(causes.end('heavy-loss')).toBe(false);
    expect(causes.end('ice-disconnected')).toBe(false);
    expect(causes.end('no-frames')).toBe(true);
  });
});

describe('MediaFlowWatch', () => {
  it('sums packets over every inbound RTP stream of a real snapshot', () => {
    expect(packetsReceivedOf(chromium['stats-connected'])).toBe(75 + 54);
    expect(packetsReceivedOf(chromium['stats-udp-blocked'])).toBe(0);
  });

  it('silent after 2 s without a packet, once media had flowed; flowing again when packets come', () => {
    const watch = new MediaFlowWatch();
    expect(watch.add(0, 0)).toBeUndefined();
    expect(watch.add(0, 5_000)).toBeUndefined(); // nothing ever flowed: not an outage
    expect(watch.add(100, 6_000)).toBeUndefined();
    expect(watch.add(100, 7_000)).toBeUndefined();
    expect(watch.add(100, 8_000)).toBe('silent');
    expect(watch.add(100, 9_000)).toBeUndefined();
    expect(watch.add(150, 10_000)).toBe('flowing');
    expect(watch.add(200, 11_000)).toBeUndefined();
  });
});
