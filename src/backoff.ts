/** Bounded exponential backoff with jitter for reconnects. */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised, so that many players do not reconnect in step. */
  jitter: number;
  /** Attempts before giving up. */
  maxAttempts: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 8_000, jitter: 0.2, maxAttempts: 8 };

/**
 * Delay before reconnect attempt `attempt` (1-based), or null when the attempts are used up.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number | null {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > policy.maxAttempts) return null;
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
  const spread = base * policy.jitter;
  return Math.round(base - spread + 2 * spread * random());
}
