/**
 * Beep onsets in a stream of audio samples, sample-accurate: the first sample whose magnitude passes
 * `threshold` after at least `quietSamples` below it. Streaming (blocks of any size, state kept), so the same
 * code runs in the AudioWorklet and in the unit tests.
 */
export interface OnsetOptions {
  threshold: number;
  quietSamples: number;
}

export const BEEP_ONSET: OnsetOptions = { threshold: 0.1, quietSamples: 4_800 };

export class OnsetDetector {
  /** Samples since the last one above the threshold; starts "quiet long enough" so a beep at 0 counts. */
  private quiet: number;

  constructor(private readonly options: OnsetOptions = BEEP_ONSET) {
    this.quiet = options.quietSamples;
  }

  /** Onsets in `block`, as sample indices on the stream (`firstIndex` is the index of block[0]). */
  push(block: ArrayLike<number>, firstIndex: number): number[] {
    const onsets: number[] = [];
    for (let i = 0; i < block.length; i++) {
      if (Math.abs(block[i]!) > this.options.threshold) {
        if (this.quiet >= this.options.quietSamples) onsets.push(firstIndex + i);
        this.quiet = 0;
      } else if (this.quiet < this.options.quietSamples) {
        this.quiet++;
      }
    }
    return onsets;
  }
}
