import { describe, expect, it } from 'vitest';
import { IceRestartPolicy } from '../../../src/transports/webrtc/ice-restart-policy.js';

const restart = { action: 'restart' };
const none = { action: 'none' };

function connected(): IceRestartPolicy {
  const policy = new IceRestartPolicy();
  policy.onState('checking', 0);
  policy.onState('connected', 200);
  return policy;
}

describe('IceRestartPolicy', () => {
  it('disconnected: restarts once 1.5 s pass without recovery', () => {
    const policy = connected();
    expect(policy.onState('disconnected', 1_000)).toEqual(none);
    expect(policy.inTrouble).toBe(true);
    expect(policy.wakeAt()).toBe(2_500);
    expect(policy.onTimer(2_499)).toEqual(none);
    expect(policy.onTimer(2_500)).toEqual(restart);
    expect(policy.wakeAt()).toBe(7_500);
  });

  it('disconnected, then connected within the grace: no restart, no longer in trouble', () => {
    const policy = connected();
    policy.onState('disconnected', 1_000);
    expect(policy.onState('connected', 2_000)).toEqual(none);
    expect(policy.inTrouble).toBe(false);
    expect(policy.wakeAt()).toBeUndefined();
    expect(policy.onTimer(2_500)).toEqual(none);
  });

  it('failed: restarts at once; not connected 5 s later → gives up (ice-failed)', () => {
    const policy = connected();
    expect(policy.onState('failed', 3_000)).toEqual(restart);
    expect(policy.onState('failed', 3_100)).toEqual(none); // one restart per incident
    expect(policy.onState('checking', 3_200)).toEqual(none);
    expect(policy.onTimer(7_999)).toEqual(none);
    expect(policy.onTimer(8_000)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: false });
    expect(policy.onState('connected', 9_000)).toEqual(none); // over: nothing more
    expect(policy.onState('failed', 9_100)).toEqual(none);
  });

  it('a restart that reconnects ends the incident; the next incident gets its own restart', () => {
    const policy = connected();
    expect(policy.onState('failed', 1_000)).toEqual(restart);
    policy.onState('connected', 2_000);
    expect(policy.onTimer(6_000)).toEqual(none);
    expect(policy.onState('failed', 10_000)).toEqual(restart);
  });

  it('media silence while ICE still says connected (what Chromium does for seconds): restart; media back → recovered', () => {
    const policy = connected();
    expect(policy.onMediaSilence(4_000)).toEqual(restart);
    expect(policy.inTrouble).toBe(true);
    expect(policy.onState('connected', 4_100)).toEqual(none); // ICE alone is not enough while media is silent
    expect(policy.inTrouble).toBe(true);
    expect(policy.onMediaFlowing()).toEqual(none);
    expect(policy.inTrouble).toBe(false);
    expect(policy.onTimer(9_000)).toEqual(none);
  });

  it('media silence that outlasts the restart → gives up', () => {
    const policy = connected();
    policy.onMediaSilence(4_000);
    expect(policy.onMediaSilence(5_000)).toEqual(none);
    expect(policy.onTimer(9_000)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: false });
  });

  it('never connected and failed: gives up at once, without a restart', () => {
    const policy = new IceRestartPolicy();
    policy.onState('checking', 0);
    expect(policy.onState('disconnected', 2_000)).toEqual(none);
    expect(policy.onState('failed', 12_000)).toEqual({ action: 'give-up', neverConnected: true, tooManyRestarts: false });
    expect(policy.everConnected).toBe(false);
  });

  it('honours shorter timings', () => {
    const policy = new IceRestartPolicy({ disconnectedGraceMs: 100, restartTimeoutMs: 200 });
    policy.onState('connected', 0);
    policy.onState('disconnected', 1_000);
    expect(policy.onTimer(1_100)).toEqual(restart);
    expect(policy.onTimer(1_300)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: false });
  });

  describe('restart cap', () => {
    /** One incident at `at`: ICE fails, the restart brings it back 1 s later. */
    function incident(policy: IceRestartPolicy, at: number) {
      const decision = policy.onState('failed', at);
      if (decision.action === 'restart') policy.onState('connected', at + 1_000);
      return decision;
    }

    it('at most 3 restarts in 60 s: the 4th incident gives up with the cap as the cause', () => {
      const policy = connected();
      expect(incident(policy, 10_000)).toEqual(restart);
      expect(incident(policy, 20_000)).toEqual(restart);
      expect(incident(policy, 30_000)).toEqual(restart);
      expect(incident(policy, 40_000)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: true });
      expect(policy.wakeAt()).toBeUndefined();
      expect(policy.onState('connected', 41_000)).toEqual(none); // over
      expect(policy.onState('failed', 42_000)).toEqual(none);
    });

    it('restarts older than the window no longer count', () => {
      const policy = connected();
      expect(incident(policy, 10_000)).toEqual(restart);
      expect(incident(policy, 20_000)).toEqual(restart);
      expect(incident(policy, 30_000)).toEqual(restart);
      // 70 s: the restart at 10 s has left the 60 s window, two remain.
      expect(incident(policy, 70_000)).toEqual(restart);
      expect(incident(policy, 75_000)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: true });
    });

    it('counts every way a restart starts: disconnected grace, failed, media silence', () => {
      const policy = connected();
      policy.onState('disconnected', 1_000);
      expect(policy.onTimer(2_500)).toEqual(restart);
      policy.onState('connected', 3_000);
      expect(policy.onMediaSilence(5_000)).toEqual(restart);
      policy.onMediaFlowing();
      expect(policy.onState('failed', 8_000)).toEqual(restart);
      policy.onState('connected', 9_000);
      policy.onState('disconnected', 10_000);
      expect(policy.onTimer(11_500)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: true });
    });

    it('honours another cap', () => {
      const policy = new IceRestartPolicy({ disconnectedGraceMs: 100, restartTimeoutMs: 200 }, { maxRestarts: 1, windowMs: 1_000 });
      policy.onState('connected', 0);
      expect(incident(policy, 100)).toEqual(restart);
      expect(incident(policy, 600)).toEqual({ action: 'give-up', neverConnected: false, tooManyRestarts: true });
      const later = new IceRestartPolicy({ disconnectedGraceMs: 100, restartTimeoutMs: 200 }, { maxRestarts: 1, windowMs: 1_000 });
      later.onState('connected', 0);
      expect(incident(later, 100)).toEqual(restart);
      expect(incident(later, 1_100)).toEqual(restart);
    });
  });
});
