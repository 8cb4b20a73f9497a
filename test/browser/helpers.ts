// Small helpers shared by the browser tests of <avatar-player>. Tests import the element themselves, so that
// a test that needs only `assert` does not load the player.
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';
import { clear, createStore } from 'idb-keyval';
import type { PlayerEventDetails, PlayerEventName } from '../../src/events.js';
import { MEMORY_STORE } from '../../src/selection/transport-memory.js';

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const mounted: AvatarPlayer[] = [];

/** A new <avatar-player> with these attributes, appended to the page (320 px wide). */
export function mount(attributes: Record<string, string>): AvatarPlayer {
  const player = document.createElement('avatar-player');
  for (const [name, value] of Object.entries(attributes)) player.setAttribute(name, value);
  player.style.width = '320px';
  mounted.push(player);
  document.body.append(player);
  return player;
}

/** Forgets which path won on which server, so that the next player races again; for afterEach. */
export async function forgetRememberedPaths(): Promise<void> {
  await clear(createStore(MEMORY_STORE.database, MEMORY_STORE.store));
}

/** Removes every player that `mount` added; for afterEach. */
export function unmountAll(): void {
  for (const player of mounted.splice(0)) player.remove();
}

export function nextEvent<K extends PlayerEventName>(
  player: AvatarPlayer,
  type: K,
  timeoutMs: number,
): Promise<PlayerEventDetails[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      player.removeEventListener(type, listener);
      reject(new Error(`no ${type} event within ${timeoutMs} ms (state ${player.state})`));
    }, timeoutMs);
    const listener = (event: Event) => {
      clearTimeout(timer);
      player.removeEventListener(type, listener);
      resolve((event as CustomEvent<PlayerEventDetails[K]>).detail);
    };
    player.addEventListener(type, listener);
  });
}

/** Every `type` event's detail from now on, in order, in the returned (growing) array. */
export function collectEvents<K extends PlayerEventName>(player: AvatarPlayer, type: K): PlayerEventDetails[K][] {
  const details: PlayerEventDetails[K][] = [];
  player.addEventListener(type, (event: Event) => details.push((event as CustomEvent<PlayerEventDetails[K]>).detail));
  return details;
}

/** The video on screen now (the player stacks two and brings a new media path to the front). */
export function videoOf(player: AvatarPlayer): HTMLVideoElement {
  const video = player.shadowRoot?.querySelector<HTMLVideoElement>('video[data-role="front"]');
  assert(video, 'the player renders a front <video> in its shadow root');
  return video;
}

export interface FrameSample {
  at: number;
  presentedFrames: number;
  mediaTime: number;
  width: number;
  height: number;
}

/** Every frame presented during `durationMs`, by requestVideoFrameCallback; stops early if frames stop. */
export function sampleFrames(video: HTMLVideoElement, durationMs: number): Promise<FrameSample[]> {
  return new Promise((resolve) => {
    const samples: FrameSample[] = [];
    const started = performance.now();
    let handle = 0;
    const finish = () => {
      clearTimeout(guard);
      video.cancelVideoFrameCallback(handle);
      resolve(samples);
    };
    const guard = setTimeout(finish, durationMs + 2_000);
    const onFrame: VideoFrameRequestCallback = (now, metadata) => {
      const { presentedFrames, mediaTime, width, height } = metadata;
      samples.push({ at: now, presentedFrames, mediaTime, width, height });
      if (now - started >= durationMs) finish();
      else handle = video.requestVideoFrameCallback(onFrame);
    };
    handle = video.requestVideoFrameCallback(onFrame);
  });
}

/** Lets pending promise jobs and rejection tracking run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
