/**
 * The element's video surfaces as the session sees them: a few <video>s stacked in one place, one in
 * front. A media path starts on a video behind the one on screen and is brought to the front once it
 * shows a frame, so that switching paths never shows a black frame.
 */
export interface VideoStage {
  readonly videos: readonly HTMLVideoElement[];
  /** Puts `video` on screen, above the others, and drops any frozen frame. */
  bringToFront(video: HTMLVideoElement): void;
  /** Keeps the frame `video` shows now on screen, above every video, until the next `bringToFront`. */
  freeze(video: HTMLVideoElement): void;
  /** Drops the frozen frame, if any. */
  unfreeze(): void;
}
