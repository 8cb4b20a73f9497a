/** Runs in the bench page: each function measures one thing with a fresh <avatar-player>. */
import type { AvatarPlayer } from '../components/avatar-player/avatar-player.js';
import '../components/avatar-player/avatar-player.js';

export interface FirstFrame {
  /** What the element itself reports in its `firstframe` event. */
  elementMs: number;
  /** From appending the element (which connects) to the event, as the page sees it. */
  pageMs: number;
}

const TIMEOUT_MS = 15_000;

function addPlayer(src: string): AvatarPlayer {
  const player = document.createElement('avatar-player');
  player.setAttribute('src', src);
  document.body.append(player);
  return player;
}

async function firstFrame(src: string): Promise<FirstFrame> {
  const started = performance.now();
  const player = addPlayer(src);
  try {
    return await new Promise<FirstFrame>((resolve, reject) => {
      player.addEventListener('firstframe', (e) => resolve({ elementMs: e.detail.elapsedMs, pageMs: performance.now() - started }));
      player.addEventListener('error', (e) => reject(new Error(`${e.detail.code}: ${e.detail.message}`)));
      setTimeout(() => reject(new Error(`no first frame in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    });
  } finally {
    player.remove();
  }
}

async function frameRate(src: string, seconds: number): Promise<number> {
  const player = addPlayer(src);
  try {
    await new Promise((resolve) => player.addEventListener('firstframe', resolve, { once: true }));
    const video = player.shadowRoot!.querySelector('video')!;
    const first = video.getVideoPlaybackQuality().totalVideoFrames;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return (video.getVideoPlaybackQuality().totalVideoFrames - first) / seconds;
  } finally {
    player.remove();
  }
}

const bench = { firstFrame, frameRate };
export type Bench = typeof bench;
Object.assign(window, { bench });
