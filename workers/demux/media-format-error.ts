export type DemuxErrorCode = 'corrupt-data' | 'unsupported-media';

/** Why a box could not be used; the demuxer reports it through onError and goes on. */
export class MediaFormatError extends Error {
  override readonly name = 'MediaFormatError';

  constructor(
    readonly code: DemuxErrorCode,
    message: string,
  ) {
    super(message);
  }
}
