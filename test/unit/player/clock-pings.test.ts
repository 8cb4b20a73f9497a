import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PingMessage } from '../../../src/protocol.js';
import { ClockPings, PING_SCHEDULE } from '../../../src/signaling/clock-pings.js';
import type { ClockSample } from '../../../src/sync/clock-offset.js';

describe('ClockPings', () => {
  let sent: PingMessage[];
  let samples: ClockSample[];
  let pings: ClockPings;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    samples = [];
    pings = new ClockPings((ping) => (sent.push(ping), true), (sample) => samples.push(sample));
  });

  afterEach(() => {
    pings.stop();
    vi.useRealTimers();
  });

  it('sends a burst, then one ping every few seconds', () => {
    pings.start();
    vi.advanceTimersByTime(PING_SCHEDULE.burstGapMs * (PING_SCHEDULE.burst - 1));
    expect(sent).toHaveLength(PING_SCHEDULE.burst);
    vi.advanceTimersByTime(PING_SCHEDULE.everyMs * 3);
    expect(sent).toHaveLength(PING_SCHEDULE.burst + 3);
    expect(new Set(sent.map((ping) => ping.id)).size).toBe(sent.length);
  });

  it('turns a pong into a sample with the arrival time, once', () => {
    pings.start();
    const ping = sent[0]!;
    vi.advanceTimersByTime(40);
    pings.onPong({ v: 1, type: 'pong', id: ping.id, t0: ping.t0, t1: 5 });
    pings.onPong({ v: 1, type: 'pong', id: ping.id, t0: ping.t0, t1: 5 });
    expect(samples).toHaveLength(1);
    expect(samples[0]!.t1).toBe(5);
    expect(samples[0]!.t2 - samples[0]!.t0).toBeCloseTo(40, 0);
  });

  it('ignores pongs to pings it never sent', () => {
    pings.start();
    pings.onPong({ v: 1, type: 'pong', id: 999, t0: 0, t1: 5 });
    expect(samples).toHaveLength(0);
  });

  it('stops sending once stopped, and forgets unanswered pings beyond a bound', () => {
    pings.start();
    vi.advanceTimersByTime(PING_SCHEDULE.everyMs * (PING_SCHEDULE.maxOutstanding + 4));
    const first = sent[0]!;
    pings.onPong({ v: 1, type: 'pong', id: first.id, t0: first.t0, t1: 1 });
    expect(samples).toHaveLength(0);
    const count = sent.length;
    pings.stop();
    vi.advanceTimersByTime(PING_SCHEDULE.everyMs * 5);
    expect(sent).toHaveLength(count);
  });
});
