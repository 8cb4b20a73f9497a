/** Why a clip file cannot be played. Stable: logs, tests and other modules switch on it. */
export type ClipErrorCode = 'not-mp4' | 'truncated' | 'no-video' | 'unsupported' | 'normalise-failed';

export class ClipError extends Error {
  override readonly name = 'ClipError';

  constructor(
    readonly code: ClipErrorCode,
    /** The clip file the error is about. */
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason} (${code})`);
  }
}

export function isClipError(value: unknown): value is ClipError {
  return value instanceof ClipError;
}
