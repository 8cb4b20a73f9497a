/**
 * When to restart ICE and when to give up (pure: the caller feeds ICE states, media flow and the
 * time, and runs a timer for `wakeAt()`).
 *
 * Once connected: ICE `disconnected` for `disconnectedGraceMs` without recovering, ICE `failed`, or
 * media silence (no RTP packet for a while although ICE still says connected — Chromium notices a
 * dead path only after several seconds) starts one ICE restart; not connected again, with media
 * flowing, within `restartTimeoutMs` → give up. Never connected and `failed` → give up at once
 * (the caller classifies why). One restart per incident: a new incident starts only after recovery.
 * At most `maxRestarts` restarts in any `windowMs`: a path that keeps dying is given up
 * ('ice-failed') rather than restarted forever while the session waits on it.
 */

export interface IceRestartTiming {
  disconnectedGraceMs: number;
  restartTimeoutMs: number;
}

export const DEFAULT_ICE_RESTART_TIMING: IceRestartTiming = { disconnectedGraceMs: 1_500, restartTimeoutMs: 5_000 };

export interface IceRestartCap {
  maxRestarts: number;
  windowMs: number;
}

export const DEFAULT_ICE_RESTART_CAP: IceRestartCap = { maxRestarts: 3, windowMs: 60_000 };

export type IceDecision =
  | { action: 'none' }
  | { action: 'restart' }
  /** `tooManyRestarts`: the cap, not a restart's deadline, ended it. */
  | { action: 'give-up'; neverConnected: boolean; tooManyRestarts: boolean };

type Phase = 'new' | 'connected' | 'disconnected' | 'restarting' | 'over';

const NONE: IceDecision = { action: 'none' };

export class IceRestartPolicy {
  private phase: Phase = 'new';
  private deadline: number | undefined;
  private neverConnected = true;
  private iceUp = false;
  /** Unknown until the first silence: until then ICE alone says whether the path is up. */
  private mediaUp = true;
  /** When the restarts inside the cap's window began. */
  private restartTimes: number[] = [];

  constructor(
    private readonly timing: IceRestartTiming = DEFAULT_ICE_RESTART_TIMING,
    private readonly cap: IceRestartCap = DEFAULT_ICE_RESTART_CAP,
  ) {}

  get everConnected(): boolean {
    return !this.neverConnected;
  }

  /** Disconnected, or restarting: the path is in trouble. */
  get inTrouble(): boolean {
    return this.phase === 'disconnected' || this.phase === 'restarting';
  }

  onState(state: RTCIceConnectionState, nowMs: number): IceDecision {
    if (this.phase === 'over') return NONE;
    this.iceUp = state === 'connected' || state === 'completed';
    if (this.iceUp) return this.recovered();
    switch (state) {
      case 'disconnected':
        if (this.phase !== 'connected') return NONE;
        this.phase = 'disconnected';
        this.deadline = nowMs + this.timing.disconnectedGraceMs;
        return NONE;
      case 'failed':
        if (this.phase === 'new') return this.giveUp();
        if (this.phase === 'restarting') return NONE;
        return this.restart(nowMs);
      case 'closed':
        this.phase = 'over';
        this.deadline = undefined;
        return NONE;
      default:
        return NONE;
    }
  }

  /** No RTP arrived for long enough to call the path dead (the caller decides how long). */
  onMediaSilence(nowMs: number): IceDecision {
    this.mediaUp = false;
    if (this.phase === 'connected' || this.phase === 'disconnected') return this.restart(nowMs);
    return NONE;
  }

  onMediaFlowing(): IceDecision {
    this.mediaUp = true;
    return this.recovered();
  }

  /** Call when `wakeAt()` has come: a grace period or a restart's deadline may have run out. */
  onTimer(nowMs: number): IceDecision {
    if (this.deadline === undefined || nowMs < this.deadline) return NONE;
    if (this.phase === 'disconnected') return this.restart(nowMs);
    if (this.phase === 'restarting') return this.giveUp();
    return NONE;
  }

  /** When `onTimer` is due next; undefined when nothing is pending. */
  wakeAt(): number | undefined {
    return this.deadline;
  }

  private recovered(): IceDecision {
    if (this.phase === 'over' || !this.iceUp || !this.mediaUp) return NONE;
    this.phase = 'connected';
    this.neverConnected = false;
    this.deadline = undefined;
    return NONE;
  }

  private restart(nowMs: number): IceDecision {
    this.restartTimes = this.restartTimes.filter((at) => nowMs - at < this.cap.windowMs);
    if (this.restartTimes.length >= this.cap.maxRestarts) return this.giveUp(true);
    this.restartTimes.push(nowMs);
    this.phase = 'restarting';
    this.deadline = nowMs + this.timing.restartTimeoutMs;
    return { action: 'restart' };
  }

  private giveUp(tooManyRestarts = false): IceDecision {
    this.phase = 'over';
    this.deadline = undefined;
    return { action: 'give-up', neverConnected: this.neverConnected, tooManyRestarts };
  }
}
