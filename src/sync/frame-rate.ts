/**
 * Presented frame rate and dropped frames over a sliding window, from the element's cumulative counters:
 * `presentedFrames` (requestVideoFrameCallback metadata) and `droppedVideoFrames`
 * (`video.getVideoPlaybackQuality()`), sampled with the time they were read.
 */

export interface FrameCounters {
  /** Client clock (ms). */
  time: number;
  presentedFrames: number;
  droppedFrames?: number;
}

export interface FrameRate {
  /** Presented frames per second over the window. */
  fps: number;
  /** Frames dropped within the window (undefined when the counter is not supplied). */
  droppedFrames: number | undefined;
  /** Seconds the figures cover. */
  windowS: number;
}

const MAX_SAMPLES = 512;

export class FrameRateMeter {
  private samples: FrameCounters[] = [];

  constructor(private readonly windowMs = 2000) {}

  add(counters: FrameCounters): void {
    const { time, presentedFrames, droppedFrames } = counters;
    if (!Number.isFinite(time) || !Number.isFinite(presentedFrames)) return;
    const last = this.samples.at(-1);
    // Counters restart with a new media source, and time must move on: start over rather than mix.
    if (last && (time <= last.time || presentedFrames < last.presentedFrames || (droppedFrames ?? 0) < (last.droppedFrames ?? 0))) {
      this.samples = [];
    }
    this.samples.push({ time, presentedFrames, droppedFrames });
    const oldest = time - this.windowMs;
    while (this.samples.length > 2 && this.samples[1]!.time <= oldest) this.samples.shift();
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  /** Undefined until two samples span some time. */
  rate(): FrameRate | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.time <= first.time) return undefined;
    const windowS = (last.time - first.time) / 1000;
    const dropped =
      first.droppedFrames === undefined || last.droppedFrames === undefined ? undefined : last.droppedFrames - first.droppedFrames;
    return { fps: (last.presentedFrames - first.presentedFrames) / windowS, droppedFrames: dropped, windowS };
  }

  reset(): void {
    this.samples = [];
  }
}
