export type Fmp4WriterErrorCode = 'bad-timestamps' | 'too-large';

/** Samples that cannot be written as an fMP4 fragment (a bug upstream: the rebaser guarantees valid input). */
export class Fmp4WriterError extends Error {
  override readonly name = 'Fmp4WriterError';

  constructor(
    readonly code: Fmp4WriterErrorCode,
    message: string,
  ) {
    super(message);
  }
}
