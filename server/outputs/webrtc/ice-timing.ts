/** How long the server waits before it calls a WebRTC media path lost, and then before it gives up on it. */
export interface IceTiming {
  /** A browser sends RTCP receiver reports about once a second: none for this long means the path is gone. */
  silenceLimitMs: number;
  /** After the path is lost, how long the client has to ask for (and complete) an ICE restart. */
  restartWaitMs: number;
}

export const DEFAULT_ICE_TIMING: IceTiming = { silenceLimitMs: 8_000, restartWaitMs: 15_000 };

export function iceTiming(overrides: Partial<IceTiming> = {}): IceTiming {
  return {
    silenceLimitMs: overrides.silenceLimitMs ?? DEFAULT_ICE_TIMING.silenceLimitMs,
    restartWaitMs: overrides.restartWaitMs ?? DEFAULT_ICE_TIMING.restartWaitMs,
  };
}
