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
    expect(policy.onTimer(8_000)).toEqual({ action: 'give-up', neverConnected: false });
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
    expect(policy.onTimer(9_000)).toEqual({ action: 'give-up', neverConnected: false });
  });

  it('never connected and failed: gives up at once, without a restart', () => {
    const policy = new IceRestartPolicy();
    policy.onState('checking', 0);
    expect(policy.onState('disconnected', 2_000)).toEqual(none);
    expect(policy.onState('failed', 12_000)).toEqual({ action: 'give-up', neverConnected: true });
    expect(policy.everConnected).toBe(false);
  });

  it('honours shorter timings', () => {
    const policy = new IceRestartPolicy({ disconnectedGraceMs: 100, restartTimeoutMs: 200 });
    policy.onState('connected', 0);
    policy.onState('disconnected', 1_000);
    expect(policy.onTimer(1_100)).toEqual(restart);
    expect(policy.onTimer(1_300)).toEqual({ action: 'give-up', neverConnected: false });
  });
});
