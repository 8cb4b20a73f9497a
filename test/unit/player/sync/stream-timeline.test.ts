import { describe, expect, it } from 'vitest';
import { StreamTimeline, signedRtpDifference } from '../../../../src/sync/stream-timeline.js';

const WRAP = 2 ** 32;

describe('StreamTimeline', () => {
  it('maps any pts to the server wall clock from one sample', () => {
    const timeline = new StreamTimeline();
    expect(timeline.serverTimeOf(1)).toBeUndefined();
    timeline.addClock({ pts: 1843.2065, time: 1_700_000_001_843.2065 });
    expect(timeline.serverTimeOf(1843.2065)).toBeCloseTo(1_700_000_001_843.2065, 6);
    expect(timeline.serverTimeOf(1845)).toBeCloseTo(1_700_000_001_843.2065 + 1793.5, 6);
    expect(timeline.serverTimeOf(1800)).toBeCloseTo(1_700_000_001_843.2065 - 43_206.5, 6);
    expect(timeline.serverTimeOf(Number.NaN)).toBeUndefined();
  });

  it('uses the latest sample', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 10, time: 50_000 });
    timeline.addClock({ pts: 11, time: 51_004 });
    expect(timeline.serverTimeOf(12)).toBe(52_004);
    // a restarted server: a new timeline
    timeline.addClock({ pts: 0.5, time: 90_000 });
    expect(timeline.serverTimeOf(1)).toBe(90_500);
  });

  it('has no RTP mapping without rtp, and keeps the last one when a sample lacks it', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 3, time: 1000 });
    expect(timeline.ptsOfVideoRtp(1234)).toBeUndefined();
    expect(timeline.ptsOfAudioRtp(1234)).toBeUndefined();
    timeline.addClock({ pts: 3, time: 1000, rtp: { video: 90_000, audio: 48_000 } });
    timeline.addClock({ pts: 4, time: 2000 });
    expect(timeline.ptsOfVideoRtp(180_000)).toBe(4);
    expect(timeline.serverTimeOf(4)).toBe(2000);
  });

  it('maps video (90 kHz) and audio (48 kHz) RTP timestamps to pts', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 100, time: 1000, rtp: { video: 1_000_000, audio: 2_000_000 } });
    expect(timeline.ptsOfVideoRtp(1_000_000 + 3000)).toBeCloseTo(100 + 1 / 30, 12);
    expect(timeline.ptsOfVideoRtp(1_000_000 - 90_000)).toBe(99);
    expect(timeline.ptsOfAudioRtp(2_000_000 + 960)).toBeCloseTo(100.02, 12);
    expect(timeline.ptsOfAudioRtp(2_000_000 - 48_000 * 2)).toBe(98);
  });

  it('unwraps a frame just after the wrap when the sample was just before it', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 500, time: 0, rtp: { video: WRAP - 1500, audio: WRAP - 480 } });
    expect(timeline.ptsOfVideoRtp(1500)).toBeCloseTo(500 + 3000 / 90_000, 12);
    expect(timeline.ptsOfAudioRtp(480)).toBeCloseTo(500 + 960 / 48_000, 12);
  });

  it('unwraps a frame just before the wrap when the sample was just after it', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 500, time: 0, rtp: { video: 1500, audio: 480 } });
    expect(timeline.ptsOfVideoRtp(WRAP - 1500)).toBeCloseTo(500 - 3000 / 90_000, 12);
    expect(timeline.ptsOfAudioRtp(WRAP - 480)).toBeCloseTo(500 - 960 / 48_000, 12);
  });

  it('maps relative to the latest rtp sample', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 0, time: 0, rtp: { video: 0, audio: 0 } });
    // 13.3 h later: the video clock has wrapped (2^32 / 90 kHz ≈ 13.25 h)
    const later = 13.3 * 3600;
    const video = (later * 90_000) % WRAP;
    timeline.addClock({ pts: later, time: later * 1000, rtp: { video, audio: (later * 48_000) % WRAP } });
    expect(timeline.ptsOfVideoRtp((video + 90_000) % WRAP)).toBeCloseTo(later + 1, 9);
  });

  it('refuses timestamps that are not uint32', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 1, time: 0, rtp: { video: 0, audio: 0 } });
    expect(timeline.ptsOfVideoRtp(-1)).toBeUndefined();
    expect(timeline.ptsOfVideoRtp(WRAP)).toBeUndefined();
    expect(timeline.ptsOfAudioRtp(1.5)).toBeUndefined();
  });

  it('forgets everything on reset', () => {
    const timeline = new StreamTimeline();
    timeline.addClock({ pts: 1, time: 0, rtp: { video: 0, audio: 0 } });
    timeline.reset();
    expect(timeline.serverTimeOf(1)).toBeUndefined();
    expect(timeline.ptsOfVideoRtp(0)).toBeUndefined();
  });
});

describe('signedRtpDifference', () => {
  it('is the shortest way round the 32-bit circle', () => {
    expect(signedRtpDifference(5, WRAP - 5)).toBe(10);
    expect(signedRtpDifference(WRAP - 5, 5)).toBe(-10);
    expect(signedRtpDifference(3000, 0)).toBe(3000);
    expect(signedRtpDifference(0, 3000)).toBe(-3000);
    expect(signedRtpDifference(2 ** 31 - 1, 0)).toBe(2 ** 31 - 1);
  });
});
