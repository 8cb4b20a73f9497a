import { describe, expect, it } from 'vitest';
import { HeavyLossDetector, inboundVideoSampleOf, type InboundVideoSample } from '../../../src/transports/webrtc/heavy-loss.js';
import { MediaFlowWatch, packetsReceivedOf } from '../../../src/transports/webrtc/media-flow.js';
import { chromium } from './fixtures/chromium-webrtc.js';

/** One sample a second: `packetsPerSecond` arrive, `lostPerSecond` are lost, `framesPerSecond` decode. */
function feed(detector: HeavyLossDetector, seconds: number, perSecond: { received: number; lost: number; frames: number }, start: InboundVideoSample) {
  let sample = start;
  const results: (string | undefined)[] = [];
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

  it('40 % loss sustained over 5 s is heavy, once the 2 s settle time and a full window have passed', () => {
    const detector = new HeavyLossDetector();
    const { results } = feed(detector, 10, { received: 60, lost: 40, frames: 20 }, origin);
    expect(results.slice(0, 6).every((r) => r === undefined)).toBe(true);
    expect(results.find((r) => r !== undefined)).toMatch(/40 % of video packets lost over 5 s/);
  });

  it('packets arrive but no frame decodes for 4 s → heavy', () => {
    const detector = new HeavyLossDetector();
    const warm = feed(detector, 3, { received: 100, lost: 0, frames: 30 }, origin);
    const { results } = feed(detector, 5, { received: 100, lost: 0, frames: 0 }, warm.last);
    expect(results.slice(0, 3).every((r) => r === undefined)).toBe(true);
    expect(results.find((r) => r !== undefined)).toMatch(/no video frame decoded for 4000 ms/);
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
