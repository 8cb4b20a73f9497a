import type { VideoStage } from '../../src/video-stage.js';

/** The stage in the element's shadow root: videos stacked by `data-role`, a canvas for the frozen frame. */
export class ShadowVideoStage implements VideoStage {
  constructor(
    readonly videos: readonly HTMLVideoElement[],
    private readonly frozenFrame: HTMLCanvasElement,
  ) {}

  bringToFront(video: HTMLVideoElement): void {
    for (const each of this.videos) each.dataset['role'] = each === video ? 'front' : 'back';
    this.unfreeze();
  }

  freeze(video: HTMLVideoElement): void {
    const { videoWidth, videoHeight } = video;
    const context = this.frozenFrame.getContext('2d');
    if (!context || videoWidth === 0 || videoHeight === 0) return;
    this.frozenFrame.width = videoWidth;
    this.frozenFrame.height = videoHeight;
    context.drawImage(video, 0, 0, videoWidth, videoHeight);
    this.frozenFrame.hidden = false;
  }

  unfreeze(): void {
    this.frozenFrame.hidden = true;
  }
}
