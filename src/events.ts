/**
 * The player's public events: names, detail types and stable error codes.
 * The session emits them; the element re-dispatches them unchanged.
 */

import type { CueMessage, TransportKind } from './protocol.js';
import type { PlayerStats } from './player-stats.js';

export type PlayerState = 'idle' | 'connecting' | 'playing' | 'reconnecting' | 'failed';

/** Stable codes of `error` events; pages may switch on them. */
export type PlayerErrorCode =
  | 'invalid-attribute'
  | 'signaling-unreachable'
  | 'signaling-closed'
  | 'protocol-error'
  | 'server-error'
  | 'webrtc-failed'
  | 'mse-failed'
  | 'media-corrupt'
  | 'media-error';

/** Stable codes of `warning` events: playback goes on, but something costs latency or quality. */
export type PlayerWarningCode =
  /** The stream has B-frames: every frame waits for the reorder delay before it can be shown. */
  | 'b-frames'
  /** The H.264 SPS lets the decoder hold frames back before display. */
  | 'reorder-window'
  /** The server dropped media because this client read too slowly. */
  | 'media-skipped';

/** Why a media path failed or was given up; the cause of a `transportchange`. */
export type TransportFailureReason =
  /** WebRTC never connected while the WebSocket did: no UDP path and no TURN relay got through. */
  | 'udp-blocked'
  /** WebRTC lost its ICE connection and an ICE restart did not bring it back. */
  | 'ice-failed'
  /** WebRTC stayed up but lost too much media for too long. */
  | 'heavy-loss'
  /** The path showed no frame in time. */
  | 'timeout'
  /** Anything else: see the cause's code and message. */
  | 'failed';

/** Why the media path changed. */
export type TransportChangeReason =
  /** The first path the player tried, with nothing to race it. */
  | 'first-choice'
  /** The path that played last time on this server (remembered in IndexedDB). */
  | 'remembered'
  /** Several paths were raced and this one showed a frame first. */
  | 'race-won'
  /** A preferred path came up (e.g. WebRTC after MSE) and took over without a gap. */
  | 'upgrade'
  /** No path any more: disconnected, or the player gave up. */
  | 'stopped'
  | TransportFailureReason;

export interface StateChangeDetail {
  state: PlayerState;
  previous: PlayerState;
}

export interface TransportChangeDetail {
  /** The media path now in use; null when none is. */
  transport: TransportKind | null;
  reason: TransportChangeReason;
  /** With a failure reason: what went wrong with the previous path. */
  cause?: { transport: TransportKind; code: PlayerErrorCode; message: string };
}

export interface FirstFrameDetail {
  transport: TransportKind;
  /** From `connect()` to the first frame presented on screen. */
  elapsedMs: number;
}

export interface PlayerErrorDetail {
  code: PlayerErrorCode;
  message: string;
  /** True when the player gave up: its state is then 'failed'. */
  fatal: boolean;
}

export interface PlayerWarningDetail {
  code: PlayerWarningCode;
  message: string;
}

/** Autoplay with sound was refused: the player plays muted and shows an unmute button. */
export type AutoplayBlockedDetail = Record<string, never>;

/**
 * A cue of the stream (its message without `v` and `type`: id, kind, pts, end?, text?, data?, clip?), fired
 * when the frame at its `pts` is on screen (within one frame).
 */
export interface CueDetail extends Omit<CueMessage, 'v' | 'type'> {
  /** The cue came after its frame was on screen, so it fired with the next frame instead. */
  late: boolean;
}

/** The avatar starts (`speechstart`) or stops (`speechend`) speaking: the frame at `pts` is on screen. */
export interface SpeechDetail {
  pts: number;
  clip?: string;
  late: boolean;
}

/** The caption on screen changed; `text` null: none. */
export interface CaptionDetail {
  text: string | null;
  /** Stream time (s) of the frame on screen when it changed. */
  pts: number;
}

export interface PlayerEventDetails {
  statechange: StateChangeDetail;
  transportchange: TransportChangeDetail;
  firstframe: FirstFrameDetail;
  error: PlayerErrorDetail;
  warning: PlayerWarningDetail;
  autoplayblocked: AutoplayBlockedDetail;
  cue: CueDetail;
  speechstart: SpeechDetail;
  speechend: SpeechDetail;
  caption: CaptionDetail;
  /** About once a second while connected: what `getStats()` returns. */
  stats: PlayerStats;
}

export type PlayerEventName = keyof PlayerEventDetails;

export const PLAYER_EVENT_NAMES: readonly PlayerEventName[] = [
  'statechange',
  'transportchange',
  'firstframe',
  'error',
  'warning',
  'autoplayblocked',
  'cue',
  'speechstart',
  'speechend',
  'caption',
  'stats',
];

/** An error that carries a player error code across promise boundaries. */
export class PlayerError extends Error {
  constructor(
    readonly code: PlayerErrorCode,
    message: string,
    /** For a media path that failed: why, in the terms of `transportchange`. */
    readonly reason?: TransportFailureReason,
  ) {
    super(message);
    this.name = 'PlayerError';
  }
}

export function toPlayerError(error: unknown, fallback: PlayerErrorCode): PlayerError {
  if (error instanceof PlayerError) return error;
  return new PlayerError(fallback, error instanceof Error ? error.message : String(error));
}
