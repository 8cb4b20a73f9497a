import { describe, expect, it } from 'vitest';
import { avOffsetFromMediaTime, avOffsetFromSync, currentTimeAt } from '../../../../src/sync/av-offset.js';

describe('avOffsetFromSync (WebRTC)', () => {
  it('is zero when each pts is heard when it is seen', () => {
    // audio with pts 10.00 played at 1000 ms; video with pts 10.25 shown at 1250 ms
    expect(avOffsetFromSync({ videoPts: 10.25, videoDisplayedAt: 1250, audioRtpPts: 10, audioPlayedAt: 1000 })).toBeCloseTo(0, 9);
  });

  it('is positive when the picture comes before its sound', () => {
    expect(avOffsetFromSync({ videoPts: 10.25, videoDisplayedAt: 1210, audioRtpPts: 10, audioPlayedAt: 1000 })).toBeCloseTo(40, 9);
  });

  it('is negative when the picture lags', () => {
    expect(avOffsetFromSync({ videoPts: 9.9, videoDisplayedAt: 930, audioRtpPts: 10, audioPlayedAt: 1000 })).toBeCloseTo(-30, 9);
  });
});

describe('avOffsetFromMediaTime (MSE)', () => {
  it('is how far the shown frame is ahead of the playback position', () => {
    expect(avOffsetFromMediaTime({ frameMediaTime: 12.04, elementCurrentTimeAtDisplay: 12.04 })).toBeCloseTo(0, 9);
    expect(avOffsetFromMediaTime({ frameMediaTime: 12.04, elementCurrentTimeAtDisplay: 12.02 })).toBeCloseTo(20, 9);
    expect(avOffsetFromMediaTime({ frameMediaTime: 12.0, elementCurrentTimeAtDisplay: 12.03 })).toBeCloseTo(-30, 9);
  });

  it('projects the playback position to the display time', () => {
    expect(currentTimeAt(5016, { currentTime: 12, readAt: 5000, playbackRate: 1 })).toBeCloseTo(12.016, 9);
    expect(currentTimeAt(5016, { currentTime: 12, readAt: 5000, playbackRate: 1.25 })).toBeCloseTo(12.02, 9);
    expect(currentTimeAt(4990, { currentTime: 12, readAt: 5000, playbackRate: 1 })).toBeCloseTo(11.99, 9);
  });
});
