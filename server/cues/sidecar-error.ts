/** Why a clip's sidecar cannot be used. Stable: logs and tests switch on it. */
export type SidecarErrorCode = 'unreadable' | 'too-large' | 'bad-json' | 'bad-sidecar';

export class SidecarError extends Error {
  override readonly name = 'SidecarError';

  constructor(
    readonly code: SidecarErrorCode,
    /** The sidecar file the error is about. */
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason} (${code})`);
  }
}
