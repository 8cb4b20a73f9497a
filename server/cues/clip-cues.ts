import type { JsonValue } from '../../src/protocol.js';

/** A caption of a clip, in seconds from the clip's start (its first video frame). */
export interface ClipCaption {
  start: number;
  end: number;
  text: string;
}

/** An application cue of a clip: opaque JSON from the backend, due `at` seconds into the clip. */
export interface ClipAppCue {
  at: number;
  data: JsonValue;
}

/** The timed text and data that come with a clip (its sidecar `<name>.json`), already validated and clamped. */
export interface ClipCues {
  captions: ClipCaption[];
  app: ClipAppCue[];
}

export const SIDECAR_LIMITS = {
  /** Bytes of the whole sidecar file. */
  fileBytes: 1024 * 1024,
  captions: 500,
  appCues: 500,
  /** UTF-16 code units, as the protocol counts them (PROTOCOL_LIMITS.cueTextLength). */
  textLength: 2000,
  /** Bytes of one application cue's `data`, encoded as JSON. */
  dataBytes: 8 * 1024,
  /** Nesting of `data` (PROTOCOL_LIMITS.cueDataDepth). */
  dataDepth: 32,
} as const;
