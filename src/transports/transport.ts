/** The interface every media path (WebRTC today; MSE and HLS later) implements for the session. */

import type { PlayerError } from '../events.js';
import type { TransportKind } from '../protocol.js';

export interface TransportEvents {
  /** The first video frame was presented on screen. */
  firstframe: Record<string, never>;
  /** The path failed after `start()` resolved; the session decides what comes next. */
  error: { error: PlayerError };
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
  /** Releases everything the transport holds; idempotent. */
  close(): void;
}

export type DebugLog = (message: string) => void;
