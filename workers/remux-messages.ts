/** The messages between the MSE transport (main thread) and the remux Worker. */

import type { TrackKind } from './media-sample.js';

export type WorkerRequest =
  /** First message. `ownMediaSource`: the worker makes the MediaSource and sends its handle back. */
  | { type: 'start'; ownMediaSource: boolean }
  /** Stream bytes, in order (transferred). */
  | { type: 'bytes'; data: ArrayBuffer }
  /** Where playback is: the worker trims what lies behind it. */
  | { type: 'playhead'; currentTime: number };

/** A track as the player's overlays and stats describe it. */
export interface TrackSummary {
  kind: TrackKind;
  /** MediaSource type, e.g. 'video/mp4; codecs="avc1.42c01e"'. */
  mimeType: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}

export type WorkerErrorCode = 'media-corrupt' | 'media-unsupported' | 'media-error';

export type WorkerEvent =
  /** With ownMediaSource: attach this to the video element (transferred). */
  | { type: 'handle'; handle: MediaSourceHandle }
  /** Without ownMediaSource: a segment for the main thread's SourceBuffer of that kind (transferred). */
  | { type: 'segment'; kind: TrackKind; data: ArrayBuffer }
  /** A new codec configuration. */
  | { type: 'tracks'; tracks: TrackSummary[] }
  /** From MediaSource time `outputTime` on, stream time = media time − outputTime + sourceTime. */
  | { type: 'anchor'; outputTime: number; sourceTime: number }
  /** Media-time ranges (s) whose audio is silent: the live-edge control may skip them. */
  | { type: 'silence'; ranges: [number, number][] }
  | { type: 'jitter'; depthMs: number; jitterMs: number; stalls: number }
  /** The encoder breaks the low-latency contract; playback goes on. */
  | { type: 'warning'; code: 'b-frames' | 'reorder-window'; message: string }
  /** `fatal`: the path cannot go on (e.g. the MediaSource failed); otherwise it recovered. */
  | { type: 'error'; code: WorkerErrorCode; message: string; fatal: boolean };
