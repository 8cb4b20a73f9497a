import type { MediaSample } from '../media-sample.js';

/** A sample whose timing is known and whose bytes are still to come, at `offset` in the stream. */
export interface PendingSample extends Omit<MediaSample, 'data'> {
  /** Stream offset of the first byte. */
  offset: number;
  size: number;
}

/** Larger than any coded frame a player should buffer: a bigger size means a corrupt index. */
export const MAX_SAMPLE_BYTES = 16 * 1024 * 1024;
