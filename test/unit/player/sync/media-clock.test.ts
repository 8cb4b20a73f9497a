import { describe, expect, it } from 'vitest';
import { mediaTimeFrameTiming, webRtcFrameTiming } from '../../../../src/sync/frame-timing.js';
import { type FrameTiming, presentedFrame } from '../../../../src/sync/media-clock.js';
import { MediaTimeMap } from '../../../../src/sync/media-time-map.js';
import { StreamTimeline } from '../../../../src/sync/stream-timeline.js';

const TIME_ORIGIN = 1_700_000_000_000;

function metadata(overrides: Partial<VideoFrameCallbackMetadata>): VideoFrameCallbackMetadata {
  return {
    expectedDisplayTime: 5000,
    presentationTime: 4990,
    presentedFrames: 100,
    mediaTime: 0,
    width: 320,
    height: 240,
    ...overrides,
  };
}

/** Stream pts = media time; the media at pts p left the server at SENT_EPOCH + p s (server clock). */
const SENT_EPOCH = TIME_ORIGIN + 1000;
function timing(offsetMs: number | undefined): FrameTiming {
  return {
    ptsOfFrame: (frame) => frame.mediaTime,
    serverTimeOf: (pts) => SENT_EPOCH + pts * 1000,
    serverOffsetMs: () => offsetMs,
  };
}

describe('presentedFrame', () => {
  it('computes latency with clocks taken as equal while the offset is unknown', () => {
    const frame = presentedFrame(metadata({ mediaTime: 3.9, expectedDisplayTime: 5000 }), timing(undefined), TIME_ORIGIN);
    expect(frame.pts).toBe(3.9);
    expect(frame.displayedAt).toBe(TIME_ORIGIN + 5000);
    expect(frame.latencyMs).toBeCloseTo(5000 - 1000 - 3900, 6);
    expect(frame.offsetKnown).toBe(false);
  });

  it('adds the server clock offset once known', () => {
    // the server clock is 2.5 s behind the client's: its send times read 2.5 s early
    const frame = presentedFrame(metadata({ mediaTime: 3.9 }), timing(-2500), TIME_ORIGIN);
    expect(frame.latencyMs).toBeCloseTo(100 - 2500, 6);
    expect(frame.offsetKnown).toBe(true);
  });

  it('has no pts or latency while the transport cannot map the frame', () => {
    const unmapped: FrameTiming = { ...timing(0), ptsOfFrame: () => undefined };
    expect(presentedFrame(metadata({}), unmapped, TIME_ORIGIN)).toMatchObject({ pts: undefined, latencyMs: undefined });
    const noClock: FrameTiming = { ...timing(0), serverTimeOf: () => undefined };
    expect(presentedFrame(metadata({ mediaTime: 1 }), noClock, TIME_ORIGIN)).toMatchObject({ pts: 1, latencyMs: undefined });
    expect(presentedFrame(metadata({}), undefined, TIME_ORIGIN)).toMatchObject({ pts: undefined, latencyMs: undefined, offsetKnown: false });
  });

  it('derives the frame duration from the previous presented frame', () => {
    const t = timing(0);
    expect(presentedFrame(metadata({ mediaTime: 1 }), t, TIME_ORIGIN).frameDurationS).toBeUndefined();
    const previous = { pts: 1, presentedFrames: 100 };
    expect(presentedFrame(metadata({ mediaTime: 1.04, presentedFrames: 101 }), t, TIME_ORIGIN, previous).frameDurationS).toBeCloseTo(0.04, 9);
    // a frame the compositor never showed in between
    expect(presentedFrame(metadata({ mediaTime: 1.08, presentedFrames: 102 }), t, TIME_ORIGIN, previous).frameDurationS).toBeCloseTo(0.04, 9);
    // jumps and repeats are no frame duration
    expect(presentedFrame(metadata({ mediaTime: 3, presentedFrames: 101 }), t, TIME_ORIGIN, previous).frameDurationS).toBeUndefined();
    expect(presentedFrame(metadata({ mediaTime: 0.9, presentedFrames: 101 }), t, TIME_ORIGIN, previous).frameDurationS).toBeUndefined();
    expect(presentedFrame(metadata({ mediaTime: 1.04, presentedFrames: 100 }), t, TIME_ORIGIN, previous).frameDurationS).toBeUndefined();
  });
});

describe('frame timings', () => {
  it('WebRTC: maps the frame RTP timestamp through the clock samples', () => {
    const timeline = new StreamTimeline();
    const webrtc = webRtcFrameTiming(timeline, () => 30);
    expect(webrtc.ptsOfFrame(metadata({ rtpTimestamp: 9000 }))).toBeUndefined();
    timeline.addClock({ pts: 20, time: TIME_ORIGIN, rtp: { video: 2 ** 32 - 9000, audio: 0 } });
    expect(webrtc.ptsOfFrame(metadata({ rtpTimestamp: 9000 }))).toBeCloseTo(20.2, 9);
    expect(webrtc.ptsOfFrame(metadata({}))).toBeUndefined();
    const frame = presentedFrame(metadata({ rtpTimestamp: 9000, expectedDisplayTime: 150 }), webrtc, TIME_ORIGIN);
    expect(frame.latencyMs).toBeCloseTo(150 + 30 - 200, 6);
  });

  it('MSE: maps the media time through the rebaser anchors', () => {
    const mediaTimes = new MediaTimeMap();
    const timeline = new StreamTimeline();
    const mse = mediaTimeFrameTiming(mediaTimes, timeline, () => undefined);
    expect(mse.ptsOfFrame(metadata({ mediaTime: 1 }))).toBeUndefined();
    mediaTimes.addAnchor(0, 500);
    timeline.addClock({ pts: 500, time: TIME_ORIGIN });
    const frame = presentedFrame(metadata({ mediaTime: 1.5, expectedDisplayTime: 1580 }), mse, TIME_ORIGIN);
    expect(frame.pts).toBe(501.5);
    expect(frame.latencyMs).toBeCloseTo(80, 6);
  });
});
