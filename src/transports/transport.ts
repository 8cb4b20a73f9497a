/** The interface every media path (WebRTC today; MSE and HLS later) implements for the session. */

import type { PlayerError, PlayerErrorCode, PlayerWarningDetail } from '../events.js';
import type { TransportKind } from '../protocol.js';

export interface TransportEvents {
  /** The first video frame was presented on screen. */
  firstframe: Record<string, never>;
  /** The path failed after `start()` resolved; the session decides what comes next. */
  error: { error: PlayerError };
  /** Something went wrong and the path recovered (e.g. corrupt bytes skipped up to the next keyframe). */
  recovered: { error: PlayerError };
  /** Playback goes on, but something costs latency or quality. */
  warning: PlayerWarningDetail;
  /** The transport was closed; it emits nothing after this. */
  closed: Record<string, never>;
}

export interface Transport {
  readonly kind: TransportKind;
  /**
   * Attaches the media to `video`. Resolves once the media is attached and playback can start;
   * rejects with a PlayerError when the path fails before that. Later failures are `error` events.
   */
  start(video: HTMLVideoElement): Promise<void>;
  on<K extends keyof TransportEvents & string>(type: K, listener: (detail: TransportEvents[K]) => void): () => void;
  /** What the path knows about its own delay right now. */
  stats(): TransportStats;
  /** Releases everything the transport holds; idempotent. */
  close(): void;
}

export interface TransportStats {
  /** Glass-to-glass latency of the frame on screen (server send → display), in ms, where the server's clock is known. */
  latencyMs?: number;
  /** Media buffered ahead of the playback position, in ms. */
  bufferMs?: number;
  /** The buffer the live-edge control aims at, in ms. */
  targetBufferMs?: number;
  /** What the jitter buffer asks for to ride out bursty delivery, in ms. */
  jitterDepthMs?: number;
  playbackRate?: number;
}

export type DebugLog = (message: string) => void;

/** The error code of a path that cannot play. */
export function failureCodeOf(kind: TransportKind): PlayerErrorCode {
  return kind === 'webrtc' ? 'webrtc-failed' : 'mse-failed';
}
