/**
 * Watches the frames a video element presents (requestVideoFrameCallback): the first one, and
 * stalls — no frame for `stallMs` while the video plays on a visible page — and their end.
 */

export interface FrameWatchHandlers {
  onFirstFrame(): void;
  onStall(): void;
  onResume(): void;
}

export const STALL_MS = 1_000;
const CHECK_EVERY_MS = 250;

export class FrameWatch {
  private handle: number | undefined;
  private checker: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt: number | undefined;
  private stalled = false;
  private stopped = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly handlers: FrameWatchHandlers,
    private readonly stallMs = STALL_MS,
  ) {
    if (typeof video.requestVideoFrameCallback !== 'function') {
      // Without rVFC only the first frame can be seen.
      video.addEventListener('loadeddata', this.onLoadedData, { once: true });
      return;
    }
    this.handle = video.requestVideoFrameCallback(this.onFrame);
    this.checker = setInterval(() => this.check(), CHECK_EVERY_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.video.cancelVideoFrameCallback(this.handle);
    clearInterval(this.checker);
    this.video.removeEventListener('loadeddata', this.onLoadedData);
  }

  private readonly onLoadedData = (): void => this.handlers.onFirstFrame();

  private readonly onFrame = (): void => {
    if (this.stopped) return;
    const first = this.lastFrameAt === undefined;
    this.lastFrameAt = performance.now();
    this.handle = this.video.requestVideoFrameCallback(this.onFrame);
    if (first) this.handlers.onFirstFrame();
    if (this.stalled) {
      this.stalled = false;
      this.handlers.onResume();
    }
  };

  private check(): void {
    if (this.lastFrameAt === undefined || this.stalled) return;
    // A paused video or a hidden page presents no frames, and that is no stall.
    if (this.video.paused || this.video.ownerDocument.visibilityState === 'hidden') {
      this.lastFrameAt = performance.now();
      return;
    }
    if (performance.now() - this.lastFrameAt <= this.stallMs) return;
    this.stalled = true;
    this.handlers.onStall();
  }
}
