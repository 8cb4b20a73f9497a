/**
 * Pings the server now and then (docs/protocol.md §4.6); each pong is one clock-offset sample. A burst at
 * the start gives a first estimate at once, then one ping every few seconds keeps it fresh.
 */

import type { PingMessage, PongMessage } from '../protocol.js';
import type { ClockSample } from '../sync/clock-offset.js';

export const PING_SCHEDULE = { burst: 5, burstGapMs: 150, everyMs: 5_000, maxOutstanding: 16 } as const;

/** The page's clock in ms since the epoch: monotonic, unlike Date.now(). */
export function pageClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export class ClockPings {
  private nextId = 0;
  private readonly outstanding = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly send: (ping: PingMessage) => boolean,
    private readonly onSample: (sample: ClockSample) => void,
  ) {}

  start(): void {
    if (this.timer === undefined && !this.stopped) this.ping();
  }

  /** Pongs that answer no ping of ours (or arrive twice) are ignored. */
  onPong(pong: PongMessage): void {
    if (!this.outstanding.delete(pong.id)) return;
    this.onSample({ t0: pong.t0, t1: pong.t1, t2: pageClockMs() });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private ping = (): void => {
    if (this.stopped) return;
    const id = this.nextId++;
    if (this.outstanding.size >= PING_SCHEDULE.maxOutstanding) this.outstanding.delete(this.outstanding.values().next().value as number);
    if (this.send({ v: 1, type: 'ping', id, t0: pageClockMs() })) this.outstanding.add(id);
    const gap = this.nextId < PING_SCHEDULE.burst ? PING_SCHEDULE.burstGapMs : PING_SCHEDULE.everyMs;
    this.timer = setTimeout(this.ping, gap);
  };
}
