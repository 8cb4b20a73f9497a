/**
 * Why the WebRTC path is degraded right now (pure). Several causes can hold at once — ICE
 * disconnected, frames stopped, heavy loss — and each is reported once when it starts; the path is
 * restored only when the last of them ends.
 */

import type { TransportEvents } from '../transport.js';

export type DegradedCause = 'ice-disconnected' | 'no-frames' | 'heavy-loss';

/** What each cause would fail with, and how it reads when no better description is given. */
const DETAIL = {
  'ice-disconnected': { reason: 'ice-failed', message: 'the ICE connection is disconnected' },
  'no-frames': { reason: 'heavy-loss', message: 'no video frame presented for over a second' },
  'heavy-loss': { reason: 'heavy-loss', message: 'heavy packet loss' },
} as const satisfies Record<DegradedCause, TransportEvents['degraded']>;

export class DegradedCauses {
  private readonly active = new Set<DegradedCause>();

  get degraded(): boolean {
    return this.active.size > 0;
  }

  /** The `degraded` event to emit when `cause` starts now; undefined when it already held. */
  start(cause: DegradedCause, message: string = DETAIL[cause].message): TransportEvents['degraded'] | undefined {
    if (this.active.has(cause)) return undefined;
    this.active.add(cause);
    return { reason: DETAIL[cause].reason, message };
  }

  /** Ends `cause`; true when that makes the path whole again (emit `restored`). */
  end(cause: DegradedCause): boolean {
    return this.active.delete(cause) && this.active.size === 0;
  }
}
