/**
 * Finds stretches of silent audio without decoding it: Opus and AAC encoders spend only a few bytes
 * on a frame of silence (libopus: 3 bytes), while a frame of speech takes tens to hundreds. The
 * live-edge control skips such stretches rather than speeding up speech.
 */

export type TimeRange = [start: number, end: number];

/** Frames this small carry no sound an encoder thought worth coding. */
const MAX_SILENT_FRAME_BYTES = 10;
/** Shorter stretches are pauses between words: not worth a seek. */
const MIN_RANGE_S = 0.2;
const MAX_RANGES = 32;

export class SilenceDetector {
  private readonly closed: TimeRange[] = [];
  private open: TimeRange | undefined;

  /** One audio frame on the output timeline (seconds). */
  add(start: number, end: number, bytes: number): void {
    if (bytes > MAX_SILENT_FRAME_BYTES) return this.close();
    if (this.open && start - this.open[1] < 0.001) this.open[1] = end;
    else {
      this.close();
      this.open = [start, end];
    }
  }

  /** Silent ranges long enough to skip, oldest first, the one still growing included. */
  ranges(): TimeRange[] {
    const all = this.open ? [...this.closed, this.open] : [...this.closed];
    return all.filter(([start, end]) => end - start >= MIN_RANGE_S).map(([start, end]) => [start, end]);
  }

  /** Forgets ranges that ended before `time`. */
  forgetBefore(time: number): void {
    while (this.closed.length > 0 && this.closed[0]![1] < time) this.closed.shift();
  }

  private close(): void {
    if (!this.open) return;
    if (this.open[1] - this.open[0] >= MIN_RANGE_S) this.closed.push(this.open);
    if (this.closed.length > MAX_RANGES) this.closed.shift();
    this.open = undefined;
  }
}
