/**
 * For every frame the video element presents: its stream pts, when it is on screen, and the live
 * glass-to-glass latency, the same way for every transport. The transport on screen supplies the mapping
 * (`FrameTiming`, see frame-timing.ts); `setTiming` switches it when the transport changes.
 */

export interface FrameTiming {
  /** Stream time (s) of the presented frame, if known yet. */
  ptsOfFrame(metadata: VideoFrameCallbackMetadata): number | undefined;
  /** Server wall clock (ms since the epoch) at which the media at `pts` left the server. */
  serverTimeOf(pts: number): number | undefined;
  /** Server clock − client clock (ms), once measured. */
  serverOffsetMs(): number | undefined;
}

export interface PresentedFrame {
  /** Stream time (s) of the frame, or undefined while the transport cannot map it yet. */
  pts: number | undefined;
  /** Client wall clock (ms since the epoch, `performance.timeOrigin` base) at which the frame is on screen. */
  displayedAt: number;
  /**
   * Server clock when on screen − server clock when sent (ms). Undefined while pts or the clock sample is
   * unknown. Before the clock offset is measured the two clocks are taken as equal (`offsetKnown: false`):
   * right on one machine, off by the clocks' difference across machines.
   */
  latencyMs: number | undefined;
  offsetKnown: boolean;
  /** Seconds one frame stays on screen, from the previous presented frame (undefined for the first, or after a jump). */
  frameDurationS: number | undefined;
  /** The element's count of presented frames (for frame-rate.ts). */
  presentedFrames: number;
  /** The frame's time on the element's own timeline (s): `metadata.mediaTime`. */
  mediaTime: number;
}

/** What the previous frame left for the next one's frame duration. */
export interface PreviousFrame {
  pts: number | undefined;
  presentedFrames: number;
}

/** Above this a pts step between presented frames is a jump, not a frame duration. */
const MAX_FRAME_DURATION_S = 0.5;

export function presentedFrame(
  metadata: VideoFrameCallbackMetadata,
  timing: FrameTiming | undefined,
  timeOrigin: number,
  previous?: PreviousFrame,
): PresentedFrame {
  const pts = timing?.ptsOfFrame(metadata);
  const displayedAt = timeOrigin + metadata.expectedDisplayTime;
  const offsetMs = timing?.serverOffsetMs();
  const sentAt = pts === undefined ? undefined : timing?.serverTimeOf(pts);
  return {
    pts,
    displayedAt,
    latencyMs: sentAt === undefined ? undefined : displayedAt + (offsetMs ?? 0) - sentAt,
    offsetKnown: offsetMs !== undefined,
    frameDurationS: frameDuration(pts, metadata.presentedFrames, previous),
    presentedFrames: metadata.presentedFrames,
    mediaTime: metadata.mediaTime,
  };
}

function frameDuration(pts: number | undefined, presentedFrames: number, previous?: PreviousFrame): number | undefined {
  if (pts === undefined || previous?.pts === undefined) return undefined;
  const frames = presentedFrames - previous.presentedFrames;
  const seconds = pts - previous.pts;
  if (frames <= 0 || seconds <= 0 || seconds > MAX_FRAME_DURATION_S) return undefined;
  return seconds / frames;
}

export type PresentedFrameListener = (frame: PresentedFrame) => void;

export class MediaClock {
  private readonly listeners = new Set<PresentedFrameListener>();
  private callbackId: number | undefined;
  private previous: PreviousFrame | undefined;

  constructor(
    private readonly video: HTMLVideoElement,
    private timing: FrameTiming | undefined = undefined,
  ) {}

  /** The transport on screen changed (undefined: none maps frames). */
  setTiming(timing: FrameTiming | undefined): void {
    this.timing = timing;
    this.previous = undefined;
  }

  onFrame(listener: PresentedFrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** False where the browser has no requestVideoFrameCallback: then nothing is reported. */
  start(): boolean {
    if (typeof this.video.requestVideoFrameCallback !== 'function') return false;
    if (this.callbackId === undefined) this.callbackId = this.video.requestVideoFrameCallback(this.onVideoFrame);
    return true;
  }

  stop(): void {
    if (this.callbackId !== undefined) this.video.cancelVideoFrameCallback(this.callbackId);
    this.callbackId = undefined;
    this.previous = undefined;
  }

  private readonly onVideoFrame: VideoFrameRequestCallback = (_now, metadata) => {
    this.callbackId = this.video.requestVideoFrameCallback(this.onVideoFrame);
    const frame = presentedFrame(metadata, this.timing, performance.timeOrigin, this.previous);
    this.previous = { pts: frame.pts, presentedFrames: frame.presentedFrames };
    for (const listener of this.listeners) listener(frame);
  };
}
