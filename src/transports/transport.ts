/** The interface every media path (WebRTC today; MSE and HLS later) implements for the session. */

import type { PlayerError, PlayerErrorCode, PlayerWarningDetail, TransportFailureReason } from '../events.js';
import type { TransportKind } from '../protocol.js';
import type { PresentedFrame } from '../sync/media-clock.js';
import type { StreamTimeline } from '../sync/stream-timeline.js';

export interface TransportEvents {
  /** The first video frame was presented on screen. */
  firstframe: Record<string, never>;
  /** The path failed after `start()` resolved; the session decides what comes next. */
  error: { error: PlayerError };
  /** Something went wrong and the path recovered (e.g. corrupt bytes skipped up to the next keyframe). */
  recovered: { error: PlayerError };
  /** Playback goes on, but something costs latency or quality. */
  warning: PlayerWarningDetail;
  /**
   * The path is in trouble but still trying (ICE disconnected and restarting, no frame for a while):
   * the session warms up another path behind it. `reason` is what it will fail with if it does not recover.
   */
  degraded: { reason: TransportFailureReason; message: string };
  /** The path that was degraded presents frames again. */
  restored: Record<string, never>;
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
  /** True when the sound playing now is silence (a moment to switch paths without cutting a word); undefined when it cannot tell. */
  quietNow?(): boolean | undefined;
  /**
   * Stream time (s) of a presented frame, where the path can tell: MSE from the element's media time, WebRTC
   * from the frame's RTP timestamp through the server's clock samples (`timeline`).
   */
  ptsOfFrame?(metadata: VideoFrameCallbackMetadata, timeline: StreamTimeline): number | undefined;
  /** How far the picture of a presented frame is ahead of the sound (ms), where the browser lets the path see. */
  avOffsetOf?(frame: PresentedFrame, timeline: StreamTimeline): number | undefined;
  /** Why the path has shown no frame yet, when it can tell (e.g. WebRTC: no UDP path and no relay). */
  failureReason?(): Promise<TransportFailureReason>;
  /** Releases everything the transport holds; idempotent. */
  close(): void;
}

/** What a path knows of its own buffers and delivery; the session adds the figures every path shares. */
export interface TransportStats {
  /** Media buffered ahead of the playback position (MSE) or held in the jitter buffer (WebRTC), in ms. */
  bufferMs?: number;
  /** The buffer the live-edge control aims at, in ms. */
  targetBufferMs?: number;
  /** What the jitter buffer asks for to ride out bursty delivery, in ms. */
  jitterDepthMs?: number;
  playbackRate?: number;
  /** Media received over the last second or so, kbit/s. */
  bitrateKbps?: number;
  /** Share of packets lost over the last second or so (0–1); absent on TCP paths. */
  packetLoss?: number;
  /** WebRTC: the selected ICE candidate pair's local side. */
  webrtcPath?: WebRtcPathStats;
}

export interface WebRtcPathStats {
  localCandidateType: string;
  protocol: 'udp' | 'tcp';
  relayProtocol?: 'udp' | 'tcp' | 'tls';
}

export type DebugLog = (message: string) => void;

/** The error code of a path that cannot play. */
export function failureCodeOf(kind: TransportKind): PlayerErrorCode {
  return kind === 'webrtc' ? 'webrtc-failed' : 'mse-failed';
}
