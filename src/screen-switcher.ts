/**
 * What is on screen and heard: which of the stage's videos is in front, and the sound that goes with it.
 * A switch moves picture and sound together in one task, so there is never a black frame and never two
 * paths heard at once.
 */

import { startPlayback, type AutoplayOutcome } from './autoplay.js';
import type { VideoStage } from './video-stage.js';

export interface SwitchOutcome {
  outcome: AutoplayOutcome;
  error?: Error;
}

export class ScreenSwitcher {
  private front: HTMLVideoElement | undefined;
  private wantMuted: boolean;
  /** The browser refused sound without a user gesture: every path plays muted until `setMuted(false)`. */
  private soundBlocked = false;

  constructor(
    private readonly stage: VideoStage,
    muted: boolean,
  ) {
    this.wantMuted = muted;
  }

  get videos(): readonly HTMLVideoElement[] {
    return this.stage.videos;
  }

  /** A video not in `busy`, preferring one that is not on screen (a frozen frame hides it only until the next switch). */
  freeVideo(busy: ReadonlySet<HTMLVideoElement>): HTMLVideoElement | undefined {
    const free = this.stage.videos.filter((video) => !busy.has(video));
    return free.find((video) => video !== this.front) ?? free[0];
  }

  /** Puts `video` on screen with the sound; resolves with how playback went, or undefined if superseded. */
  async bringOn(video: HTMLVideoElement): Promise<SwitchOutcome | undefined> {
    const previous = this.front;
    this.front = video;
    this.stage.bringToFront(video);
    if (previous && previous !== video) previous.muted = true;
    video.muted = this.wantMuted || this.soundBlocked;
    if (video.muted && !video.paused) return { outcome: 'playing' };
    const result = await startPlayback(video);
    if (this.front !== video) return undefined;
    if (result.outcome === 'muted-by-policy') this.soundBlocked = true;
    return result;
  }

  /** Keeps the frame on screen now until the next switch: the path behind it is going away. */
  freezeFront(): void {
    if (this.front) this.stage.freeze(this.front);
  }

  clear(): void {
    this.front = undefined;
    this.stage.unfreeze();
  }

  /** Turns the sound off or on; unmuting should come from a user gesture (the unmute button). */
  setMuted(muted: boolean): Promise<unknown> {
    this.wantMuted = muted;
    if (!muted) this.soundBlocked = false;
    const video = this.front;
    if (!video) return Promise.resolve();
    video.muted = muted;
    return muted || !video.paused ? Promise.resolve() : video.play();
  }
}
