/** Names of the test streams, e.g. `ws://127.0.0.1:PORT/fmp4/h264-aac`. */
export type Fmp4Variant =
  | 'h264-aac'
  | 'bframes'
  | 'opus'
  | 'aac-44k'
  | '720p'
  | 'video-only'
  | 'resolution-change'
  | 'small-fragments';

export const FMP4_VARIANTS: readonly Fmp4Variant[];

/**
 * How the relay cuts its binary messages: `fragment` (default) one message per init (ftyp+moov) and per
 * moof+mdat; `box` one message per top-level box; `odd` sizes 7, 1000, 3, 4093, 1 bytes in turn, split anywhere.
 */
export type ChunkMode = 'fragment' | 'box' | 'odd';
export const CHUNK_MODES: readonly ChunkMode[];

/**
 * When the relay sends a fragment: `start` (default) when the wall clock reaches its decode time, so media
 * arrives up to one fragment ahead of real time; `end` when its last sample's time has passed, as a live
 * ffmpeg emits it (the first frame then waits one fragment).
 */
export type PaceMode = 'start' | 'end';
export const PACE_MODES: readonly PaceMode[];
export const ODD_CHUNK_SIZES: readonly number[];

/** The query string of a stream URL; all times are ms after the connection opened. */
export interface Fmp4RelayOptions {
  chunks?: ChunkMode;
  pace?: PaceMode;
  /** Sends nothing from stallAtMs for stallMs, then the backlog at once, then real time again. */
  stallAtMs?: number;
  stallMs?: number;
  /** Once: CORRUPT_BYTES between the first two fragments due at or after this time. */
  corruptAtMs?: number;
  /** A JSON text message `{type:'metadata',seq,atMs}` every this many ms (none while stalled). */
  textEveryMs?: number;
}

export class RelayOptionsError extends Error {
  readonly code: 'bad-relay-option';
}
export function parseRelayOptions(query: URLSearchParams): Fmp4RelayOptions & { chunks: ChunkMode; pace: PaceMode };

/** The 200 deterministic bytes that corruptAtMs inserts. */
export const CORRUPT_BYTES: Uint8Array;

export interface ScheduledUnit {
  /** An init (ftyp + moov) or a fragment (moof + mdat + any boxes before the next moof or init). */
  kind: 'init' | 'fragment';
  /** Its decode time, in ms from the start of the stream (a later part starts where the previous ended): when pace=start sends it. */
  atMs: number;
  /** When its last sample ends, same clock: when pace=end sends it (an init: = atMs). */
  endMs: number;
  /** Its top-level boxes, views into the stream's bytes. */
  boxes: Uint8Array[];
  bytes: Uint8Array;
}

export interface Fmp4Schedule {
  units: ScheduledUnit[];
  /** One loop of the stream: every part's media duration, end to end. */
  durationMs: number;
}

export function scheduleFmp4Stream(bytes: Uint8Array): Fmp4Schedule;

export function makeFmp4TestStreams(options?: {
  variants?: readonly Fmp4Variant[];
  /** Length of each stream (default 5; resolution-change has two parts of half that, rounded up). */
  seconds?: number;
  /** ffmpeg encodes run at once (default 2). */
  concurrency?: number;
}): Promise<Map<Fmp4Variant, Uint8Array>>;

export interface Fmp4RelayStartOptions {
  streams: ReadonlyMap<Fmp4Variant, Uint8Array>;
  /** Further upgrade requests get HTTP 503 (default 8). */
  maxConnections?: number;
  /** A connection is closed (1000) after this long (default 10 min). */
  maxConnectionMs?: number;
  /** A client that lets this much pile up unread is closed (1008) (default 16 MiB). */
  maxBufferedBytes?: number;
}

export interface Fmp4Relay {
  /** e.g. `ws://127.0.0.1:41234/fmp4`; streams are at `${baseUrl}/<variant>?<options>`. */
  baseUrl: string;
  /** e.g. `http://127.0.0.1:41234`; GET /health → `{ ok: true, connections, variants }`; GET /fmp4/<variant>.mp4 → the bytes. */
  httpUrl: string;
  variants: Fmp4Variant[];
  schedules: ReadonlyMap<Fmp4Variant, Fmp4Schedule>;
  connectionCount(): number;
  /** Terminates every connection and stops listening, at once (safe in a process 'exit' handler). */
  closeNow(): void;
  close(): Promise<void>;
}

export function startFmp4Relay(options: Fmp4RelayStartOptions): Promise<Fmp4Relay>;

