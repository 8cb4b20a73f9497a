// What a viewer of an <avatar-player> sees, whichever of its stacked videos is in front: frames presented
// on screen, the longest time the picture stood still, and whether it was ever black.
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';

export interface ScreenLog {
  /** Frames presented by the video that was in front at the time. */
  frames: number;
  /** Longest time between two frames on screen (a frozen frame counts as standing still). */
  longestStillMs: number;
  /** When that longest still began, in ms from the start of the watch. */
  longestStillFromMs: number;
  /** Samples (every 50 ms) in which the screen was black or empty. */
  blackSamples: number;
  /** What each black sample showed, for the failure message. */
  blackDetails: string[];
  samples: number;
  /** Samples in which two videos were heard at once (doubled audio). */
  doubledAudioSamples: number;
  /** Samples in which the live video on screen was not heard (lost audio; the page wants sound). */
  unheardSamples: number;
}

export interface ScreenWatch {
  stop(): ScreenLog;
}

const SAMPLE_MS = 50;
/** Mean luma (0–255) below which a sample counts as black; the demo avatar is far brighter. */
const BLACK_LUMA = 16;

/** Starts watching; call it on a player that is playing, or before it has shown anything. */
export function watchScreen(player: AvatarPlayer): ScreenWatch {
  const root = player.shadowRoot!;
  const videos = [...root.querySelectorAll('video')];
  const frozenFrame = root.querySelector('canvas')!;
  const probe = document.createElement('canvas');
  probe.width = 32;
  probe.height = 24;
  const context = probe.getContext('2d', { willReadFrequently: true })!;
  const log: ScreenLog = { frames: 0, longestStillMs: 0, longestStillFromMs: 0, blackSamples: 0, blackDetails: [], samples: 0, doubledAudioSamples: 0, unheardSamples: 0 };
  const started = performance.now();
  let lastFrameAt = performance.now();
  let watching = true;
  const noteStill = (now: number) => {
    if (now - lastFrameAt <= log.longestStillMs) return;
    log.longestStillMs = now - lastFrameAt;
    log.longestStillFromMs = Math.round(lastFrameAt - started);
  };

  // A video that stalls keeps its last frame on screen; one that has shown no frame since its source changed is empty.
  const showsAFrame = new Set<HTMLVideoElement>(videos.filter((video) => video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA));
  // A playing player has presented a frame on its front video (its firstframe came from requestVideoFrameCallback).
  if (player.state === 'playing') showsAFrame.add(videos.find((video) => video.dataset['role'] === 'front')!);
  for (const video of videos) video.addEventListener('emptied', () => showsAFrame.delete(video));
  const onFrame = (video: HTMLVideoElement) => (now: number) => {
    if (!watching) return;
    showsAFrame.add(video);
    if (video.dataset['role'] === 'front' && frozenFrame.hidden) {
      log.frames++;
      noteStill(now);
      lastFrameAt = now;
    }
    video.requestVideoFrameCallback(onFrame(video));
  };
  for (const video of videos) video.requestVideoFrameCallback(onFrame(video));

  const sampler = setInterval(() => {
    log.samples++;
    const front = videos.find((video) => video.dataset['role'] === 'front')!;
    const source = frozenFrame.hidden ? front : frozenFrame;
    const at = Math.round(performance.now() - started);
    if (source instanceof HTMLVideoElement && !showsAFrame.has(source)) {
      log.blackSamples++;
      log.blackDetails.push(`at ${at} ms: front video ${videos.indexOf(front)} has no frame (readyState ${source.readyState})`);
      return;
    }
    // Stalled or seeking, Chromium keeps the last frame on screen, but it cannot be drawn here.
    if (source instanceof HTMLVideoElement && source.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    const luma = meanLuma(context, source);
    if (luma < BLACK_LUMA) {
      log.blackSamples++;
      log.blackDetails.push(`at ${at} ms: ${source === frozenFrame ? 'frozen frame' : `front video ${videos.indexOf(front)}`} luma ${luma.toFixed(1)}`);
    }
  }, SAMPLE_MS);
  const audioChecker = setInterval(() => {
    const heard = videos.filter((video) => !video.muted && !video.paused);
    if (heard.length > 1) log.doubledAudioSamples++;
    const front = videos.find((video) => video.dataset['role'] === 'front')!;
    if (frozenFrame.hidden && !heard.includes(front)) log.unheardSamples++;
  }, SAMPLE_MS);

  return {
    stop() {
      watching = false;
      clearInterval(sampler);
      clearInterval(audioChecker);
      noteStill(performance.now());
      return log;
    },
  };
}

function meanLuma(context: CanvasRenderingContext2D, source: CanvasImageSource): number {
  const { width, height } = context.canvas;
  context.clearRect(0, 0, width, height);
  context.drawImage(source, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height).data;
  let sum = 0;
  for (let i = 0; i < pixels.length; i += 4) sum += 0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!;
  return sum / (pixels.length / 4);
}
