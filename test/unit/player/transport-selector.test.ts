import { describe, expect, it } from 'vitest';
import type { TransportFailureReason } from '../../../src/events.js';
import {
  SELECTOR_DEFAULTS,
  TransportSelector,
  type RouteFailure,
  type SelectorAction,
  type SelectorOptions,
} from '../../../src/selection/transport-selector.js';

const WEBRTC = 0;
const MSE = 1;
const HLS = 2;

function selector(options: Partial<SelectorOptions> = {}): TransportSelector {
  return new TransportSelector({ ...SELECTOR_DEFAULTS, routeCount: 2, ...options });
}

function failure(route: number, reason: TransportFailureReason = 'ice-failed'): RouteFailure {
  return { route, reason, code: route === WEBRTC ? 'webrtc-failed' : 'mse-failed', message: `route ${route} failed` };
}

const launches = (actions: SelectorAction[]) => actions.filter((a) => a.type === 'launch').map((a) => (a as { route: number }).route);
const cancels = (actions: SelectorAction[]) => actions.filter((a) => a.type === 'cancel').map((a) => (a as { route: number }).route);
const shows = (actions: SelectorAction[]) => actions.filter((a): a is Extract<SelectorAction, { type: 'show' }> => a.type === 'show');
const timers = (actions: SelectorAction[]) => actions.filter((a): a is Extract<SelectorAction, { type: 'arm' }> => a.type === 'arm');

describe('TransportSelector: first visit (no memory)', () => {
  it('races the two best routes at once', () => {
    expect(launches(selector({ routeCount: 3 }).handle({ type: 'start' }))).toEqual([WEBRTC, MSE]);
  });

  it('shows the first route with a frame, keeps the better one racing, and upgrades when it shows a frame', () => {
    const s = selector();
    s.handle({ type: 'start' });
    const first = s.handle({ type: 'frame', route: MSE });
    expect(shows(first)).toEqual([{ type: 'show', route: MSE, reason: 'race-won' }]);
    expect(cancels(first)).toEqual([]);
    expect(first).not.toContainEqual({ type: 'remember', route: MSE });
    const upgrade = s.handle({ type: 'frame', route: WEBRTC });
    expect(shows(upgrade)).toEqual([{ type: 'show', route: WEBRTC, reason: 'upgrade' }]);
    expect(cancels(upgrade)).toEqual([MSE]);
    expect(upgrade).toContainEqual({ type: 'remember', route: WEBRTC });
    expect(s.onScreen).toBe(WEBRTC);
  });

  it('cancels the slower routes when the best shows first', () => {
    const s = selector();
    s.handle({ type: 'start' });
    const actions = s.handle({ type: 'frame', route: WEBRTC });
    expect(shows(actions)[0]?.reason).toBe('race-won');
    expect(cancels(actions)).toEqual([MSE]);
    expect(actions).toContainEqual({ type: 'remember', route: WEBRTC });
    expect(timers(actions)).toEqual([]);
  });

  it('says why the better route lost once it fails, remembers the winner and re-probes later', () => {
    const s = selector();
    s.handle({ type: 'start' });
    s.handle({ type: 'frame', route: MSE });
    const actions = s.handle({ type: 'failed', failure: failure(WEBRTC, 'udp-blocked') });
    expect(shows(actions)).toEqual([{ type: 'show', route: MSE, reason: 'udp-blocked', cause: failure(WEBRTC, 'udp-blocked') }]);
    expect(actions).toContainEqual({ type: 'remember', route: MSE });
    expect(timers(actions)).toEqual([{ type: 'arm', timer: 'reprobe', ms: SELECTOR_DEFAULTS.reprobeDelaysMs[0] }]);
  });

  it('gives the failure as the reason when the better route failed before the other showed a frame', () => {
    const s = selector();
    s.handle({ type: 'start' });
    expect(s.handle({ type: 'failed', failure: failure(WEBRTC, 'timeout') })).toEqual([]);
    const actions = s.handle({ type: 'frame', route: MSE });
    expect(shows(actions)).toEqual([{ type: 'show', route: MSE, reason: 'timeout', cause: failure(WEBRTC, 'timeout') }]);
  });

  it('launches the next route when a racer fails and a slot frees up, and is exhausted when none is left', () => {
    const s = selector({ routeCount: 3 });
    s.handle({ type: 'start' });
    expect(launches(s.handle({ type: 'failed', failure: failure(WEBRTC) }))).toEqual([]);
    expect(launches(s.handle({ type: 'failed', failure: failure(MSE) }))).toEqual([HLS]);
    expect(s.handle({ type: 'failed', failure: failure(HLS, 'timeout') })).toEqual([{ type: 'exhausted', failure: failure(HLS, 'timeout') }]);
  });

  it('uses one route alone as the first choice', () => {
    const s = selector({ routeCount: 1 });
    expect(launches(s.handle({ type: 'start' }))).toEqual([WEBRTC]);
    expect(shows(s.handle({ type: 'frame', route: WEBRTC }))[0]?.reason).toBe('first-choice');
  });

  it('ignores events about routes that are not running', () => {
    const s = selector();
    s.handle({ type: 'start' });
    s.handle({ type: 'frame', route: WEBRTC });
    expect(s.handle({ type: 'frame', route: MSE })).toEqual([]);
    expect(s.handle({ type: 'failed', failure: failure(MSE) })).toEqual([]);
    expect(s.handle({ type: 'frame', route: WEBRTC })).toEqual([]);
  });
});

describe('TransportSelector: repeat visit (memory)', () => {
  it('races as on a first visit when the remembered route is the best, and says so when it wins', () => {
    const s = selector({ remembered: WEBRTC });
    expect(launches(s.handle({ type: 'start' }))).toEqual([WEBRTC, MSE]);
    expect(shows(s.handle({ type: 'frame', route: WEBRTC }))[0]?.reason).toBe('remembered');
  });

  it('shows MSE as the race winner when it beats a remembered WebRTC', () => {
    const s = selector({ remembered: WEBRTC });
    s.handle({ type: 'start' });
    expect(shows(s.handle({ type: 'frame', route: MSE }))[0]?.reason).toBe('race-won');
    expect(shows(s.handle({ type: 'frame', route: WEBRTC }))[0]?.reason).toBe('upgrade');
  });

  it('starts on a remembered worse route at once and re-probes the better one in the background', () => {
    const s = selector({ remembered: MSE });
    expect(launches(s.handle({ type: 'start' }))).toEqual([MSE]);
    const shown = s.handle({ type: 'frame', route: MSE });
    expect(shows(shown)[0]?.reason).toBe('remembered');
    expect(timers(shown)).toEqual([{ type: 'arm', timer: 'reprobe', ms: 3_000 }]);
    expect(launches(s.handle({ type: 'timer', timer: 'reprobe' }))).toEqual([WEBRTC]);
    const upgrade = s.handle({ type: 'frame', route: WEBRTC });
    expect(shows(upgrade)[0]).toEqual({ type: 'show', route: WEBRTC, reason: 'upgrade' });
    expect(cancels(upgrade)).toEqual([MSE]);
  });

  it('re-probes a failed route a bounded number of times, each later than the last', () => {
    const s = selector({ remembered: MSE });
    s.handle({ type: 'start' });
    const delays = [timers(s.handle({ type: 'frame', route: MSE }))[0]?.ms];
    for (let probe = 0; probe < 5; probe++) {
      s.handle({ type: 'timer', timer: 'reprobe' });
      delays.push(timers(s.handle({ type: 'failed', failure: failure(WEBRTC, 'udp-blocked') }))[0]?.ms);
    }
    expect(delays).toEqual([3_000, 30_000, 120_000, undefined, undefined, undefined]);
  });

  it('falls back to the others when the remembered route fails before its first frame', () => {
    const s = selector({ remembered: MSE });
    s.handle({ type: 'start' });
    expect(launches(s.handle({ type: 'failed', failure: failure(MSE) }))).toEqual([WEBRTC]);
  });
});

describe('TransportSelector: trouble on screen', () => {
  function playingWebRtc(): TransportSelector {
    const s = selector();
    s.handle({ type: 'start' });
    s.handle({ type: 'frame', route: WEBRTC });
    return s;
  }

  it('warms up a standby when the route on screen degrades, and lets it take over only if the trouble lasts', () => {
    const s = playingWebRtc();
    const degraded = s.handle({ type: 'degraded', route: WEBRTC, reason: 'ice-failed' });
    expect(launches(degraded)).toEqual([MSE]);
    expect(timers(degraded)).toEqual([{ type: 'arm', timer: 'takeover', ms: SELECTOR_DEFAULTS.takeoverAfterMs }]);
    expect(shows(s.handle({ type: 'frame', route: MSE }))).toEqual([]);
    const takeover = s.handle({ type: 'timer', timer: 'takeover' });
    expect(shows(takeover)).toEqual([{ type: 'show', route: MSE, reason: 'ice-failed' }]);
    expect(cancels(takeover)).toEqual([]); // WebRTC keeps trying to recover in the background
  });

  it('lets a standby that shows its first frame after the trouble lasted take over at once', () => {
    const s = playingWebRtc();
    s.handle({ type: 'degraded', route: WEBRTC, reason: 'heavy-loss' });
    expect(shows(s.handle({ type: 'timer', timer: 'takeover' }))).toEqual([]);
    expect(shows(s.handle({ type: 'frame', route: MSE }))).toEqual([{ type: 'show', route: MSE, reason: 'heavy-loss' }]);
  });

  it('drops the standby when the route on screen recovers in time', () => {
    const s = playingWebRtc();
    s.handle({ type: 'degraded', route: WEBRTC, reason: 'heavy-loss' });
    s.handle({ type: 'frame', route: MSE });
    const restored = s.handle({ type: 'restored', route: WEBRTC });
    expect(restored).toEqual([{ type: 'disarm', timer: 'takeover' }, { type: 'cancel', route: MSE }]);
    expect(shows(s.handle({ type: 'timer', timer: 'takeover' }))).toEqual([]);
  });

  it('goes back to the better route once it has been well for a while, not at its first good moment', () => {
    const s = playingWebRtc();
    s.handle({ type: 'degraded', route: WEBRTC, reason: 'ice-failed' });
    s.handle({ type: 'frame', route: MSE });
    s.handle({ type: 'timer', timer: 'takeover' });
    const restored = s.handle({ type: 'restored', route: WEBRTC });
    expect(shows(restored)).toEqual([]);
    expect(timers(restored)).toEqual([{ type: 'arm', timer: 'upgrade-back', ms: SELECTOR_DEFAULTS.upgradeBackAfterMs }]);
    const back = s.handle({ type: 'timer', timer: 'upgrade-back' });
    expect(shows(back)).toEqual([{ type: 'show', route: WEBRTC, reason: 'upgrade' }]);
    expect(cancels(back)).toEqual([MSE]);
  });

  it('does not flap: a better route that degrades again before the wait is over stays behind', () => {
    const s = playingWebRtc();
    s.handle({ type: 'degraded', route: WEBRTC, reason: 'heavy-loss' });
    s.handle({ type: 'frame', route: MSE });
    s.handle({ type: 'timer', timer: 'takeover' });
    s.handle({ type: 'restored', route: WEBRTC });
    expect(s.handle({ type: 'degraded', route: WEBRTC, reason: 'heavy-loss' })).toEqual([{ type: 'disarm', timer: 'upgrade-back' }]);
    expect(shows(s.handle({ type: 'timer', timer: 'upgrade-back' }))).toEqual([]);
    expect(s.onScreen).toBe(MSE);
  });

  it('hands over to a warm standby when the route on screen fails', () => {
    const s = playingWebRtc();
    s.handle({ type: 'degraded', route: WEBRTC, reason: 'ice-failed' });
    s.handle({ type: 'frame', route: MSE });
    // already on MSE: the failure of the route behind it is reported as the reason for staying
    const actions = s.handle({ type: 'failed', failure: failure(WEBRTC) });
    expect(shows(actions)).toEqual([{ type: 'show', route: MSE, reason: 'ice-failed', cause: failure(WEBRTC) }]);
  });

  it('keeps the dead route\'s last frame up while the next route starts, then shows it with the failure as reason', () => {
    const s = playingWebRtc();
    const failed = s.handle({ type: 'failed', failure: failure(WEBRTC, 'heavy-loss') });
    expect(launches(failed)).toEqual([MSE]);
    expect(shows(failed)).toEqual([]);
    expect(s.onScreen).toBe(WEBRTC);
    const actions = s.handle({ type: 'frame', route: MSE });
    expect(shows(actions)).toEqual([{ type: 'show', route: MSE, reason: 'heavy-loss', cause: failure(WEBRTC, 'heavy-loss') }]);
  });

  it('is exhausted when the route on screen and every other route failed', () => {
    const s = playingWebRtc();
    s.handle({ type: 'failed', failure: failure(WEBRTC) });
    expect(s.handle({ type: 'failed', failure: failure(MSE, 'failed') })).toEqual([{ type: 'exhausted', failure: failure(MSE, 'failed') }]);
  });

  it('never runs more attempts than it has slots, counting a dead route whose frame is still up', () => {
    const s = selector({ routeCount: 3 });
    s.handle({ type: 'start' });
    s.handle({ type: 'frame', route: WEBRTC });
    s.handle({ type: 'failed', failure: failure(WEBRTC) });
    // MSE launched into the one free slot; HLS waits
    expect(launches(s.handle({ type: 'failed', failure: failure(MSE) }))).toEqual([HLS]);
  });
});
