/** Runs in the bench page: each function measures one thing with a fresh <avatar-player>. */
import type { AvatarPlayer } from '../components/avatar-player/avatar-player.js';
import '../components/avatar-player/avatar-player.js';

export interface FirstFrame {
  /** What the element itself reports in its `firstframe` event. */
  elementMs: number;
  /** From appending the element (which connects) to the event, as the page sees it. */
  pageMs: number;
  /** The media path the element reports it played on. */
  transport: string;
}

export interface WatchOptions {
  src: string;
  /** The element's `transports` attribute, e.g. 'mse'. */
  transports: string;
  /** The element's `latency` attribute (target buffer, ms); absent: the element's default. */
  latencyMs?: number;
  /** Hide MediaSource.canConstructInDedicatedWorker, so that the MediaSource lives on the main thread. */
  mediaSourceOnMainThread?: boolean;
  /** Keep the main thread busy for `busyMs` out of every `periodMs` while watching. */
  load?: { busyMs: number; periodMs: number };
  /** The element's `debug` attribute: it logs its decisions to the console. */
  debug?: boolean;
}

/** One presented frame, as the page saw it in requestVideoFrameCallback. */
export interface FrameSample {
  /** ms since the first frame. */
  atMs: number;
  latencyMs: number | null;
  bufferMs: number | null;
  /** The buffer the player aims at: max(latency attribute, jitter depth). */
  targetBufferMs: number | null;
  jitterDepthMs: number | null;
  playbackRate: number | null;
  /** When the figures were read, relative to the frame's expected display time (ms; negative: before it). */
  readLateMs: number;
  /** The element's counters at this frame. */
  presentedFrames: number;
  droppedFrames: number;
}

export interface WatchRecord {
  firstFrame: FirstFrame;
  frames: FrameSample[];
  /** Named moments, ms since the first frame (see markWatch). */
  marks: Record<string, number>;
  /** Errors the element reported while watched. */
  errors: string[];
}

const TIMEOUT_MS = 15_000;
/** A bound on what one watch keeps: 200 s at 60 fps. */
const MAX_FRAMES = 12_000;

export function addPlayer(attributes: Record<string, string>): AvatarPlayer {
  const player = document.createElement('avatar-player');
  for (const [name, value] of Object.entries(attributes)) player.setAttribute(name, value);
  document.body.append(player);
  return player;
}

function attributesOf(options: WatchOptions): Record<string, string> {
  const attributes: Record<string, string> = { src: options.src, transports: options.transports };
  if (options.latencyMs !== undefined) attributes['latency'] = String(options.latencyMs);
  if (options.debug) attributes['debug'] = '';
  return attributes;
}

function videoOf(player: AvatarPlayer): HTMLVideoElement {
  const video = player.shadowRoot?.querySelector('video');
  if (!video) throw new Error('the player has no <video> in its shadow root');
  return video;
}

export function waitForFirstFrame(player: AvatarPlayer, started: number): Promise<FirstFrame> {
  return new Promise<FirstFrame>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first frame in ${TIMEOUT_MS} ms (state ${player.state})`)), TIMEOUT_MS);
    player.addEventListener('firstframe', (e) => {
      clearTimeout(timer);
      resolve({ elementMs: e.detail.elapsedMs, pageMs: performance.now() - started, transport: e.detail.transport });
    });
    player.addEventListener('error', (e) => {
      if (!e.detail.fatal) return;
      clearTimeout(timer);
      reject(new Error(`${e.detail.code}: ${e.detail.message}`));
    });
  });
}

async function firstFrame(src: string, transports: string): Promise<FirstFrame> {
  const started = performance.now();
  const player = addPlayer({ src, transports });
  try {
    return await waitForFirstFrame(player, started);
  } finally {
    player.remove();
  }
}

async function frameRate(src: string, transports: string, seconds: number): Promise<number> {
  const player = addPlayer({ src, transports });
  try {
    await waitForFirstFrame(player, performance.now());
    const video = videoOf(player);
    const first = video.getVideoPlaybackQuality().totalVideoFrames;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return (video.getVideoPlaybackQuality().totalVideoFrames - first) / seconds;
  } finally {
    player.remove();
  }
}

/** Busy-waits `busyMs` every `periodMs` on the main thread, as a heavy page would. */
function startLoad({ busyMs, periodMs }: { busyMs: number; periodMs: number }): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const burn = () => {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {
      // busy
    }
    timer = setTimeout(burn, Math.max(0, periodMs - busyMs));
  };
  timer = setTimeout(burn, periodMs - busyMs);
  return () => clearTimeout(timer);
}

/** Makes the player's MSE transport believe the MediaSource cannot live in a Worker; returns the undo. */
function forceMainThreadMediaSource(): () => void {
  const real = Object.getOwnPropertyDescriptor(MediaSource, 'canConstructInDedicatedWorker');
  Object.defineProperty(MediaSource, 'canConstructInDedicatedWorker', { value: false, configurable: true });
  return () => {
    if (real) Object.defineProperty(MediaSource, 'canConstructInDedicatedWorker', real);
    else Reflect.deleteProperty(MediaSource, 'canConstructInDedicatedWorker');
  };
}

interface Watch {
  player: AvatarPlayer;
  record: WatchRecord;
  /** Undo steps, run by stopWatch in reverse order. */
  undo: (() => void)[];
  firstFrameAt: number;
}

let watch: Watch | undefined;

/** Mounts a player, waits for its first frame, then records every presented frame until stopWatch(). */
async function startWatch(options: WatchOptions): Promise<FirstFrame> {
  if (watch) throw new Error('a watch is already running');
  const undo: (() => void)[] = [];
  if (options.load) undo.push(startLoad(options.load));
  if (options.mediaSourceOnMainThread) undo.push(forceMainThreadMediaSource());
  const errors: string[] = [];
  const started = performance.now();
  const player = addPlayer(attributesOf(options));
  undo.push(() => player.remove());
  player.addEventListener('error', (e) => errors.push(`${e.detail.code}: ${e.detail.message}`));
  const record: WatchRecord = { firstFrame: { elementMs: 0, pageMs: 0, transport: '' }, frames: [], marks: {}, errors };
  const current: Watch = { player, record, undo, firstFrameAt: started };
  watch = current;
  try {
    record.firstFrame = await waitForFirstFrame(player, started);
  } catch (error) {
    stopWatch();
    throw error;
  }
  if (watch !== current) throw new Error('the watch was stopped before its first frame');
  current.firstFrameAt = performance.now();
  recordFrames(current);
  return record.firstFrame;
}

function recordFrames(current: Watch): void {
  const video = videoOf(current.player);
  let handle = 0;
  const onFrame: VideoFrameRequestCallback = (_now, metadata) => {
    if (watch !== current || current.record.frames.length >= MAX_FRAMES) return;
    const stats = current.player.getStats();
    current.record.frames.push({
      atMs: performance.now() - current.firstFrameAt,
      latencyMs: stats.latencyMs ?? null,
      bufferMs: stats.bufferMs ?? null,
      targetBufferMs: stats.targetBufferMs ?? null,
      jitterDepthMs: stats.jitterDepthMs ?? null,
      playbackRate: stats.playbackRate ?? null,
      readLateMs: performance.now() - metadata.expectedDisplayTime,
      presentedFrames: metadata.presentedFrames,
      droppedFrames: video.getVideoPlaybackQuality().droppedVideoFrames,
    });
    handle = video.requestVideoFrameCallback(onFrame);
  };
  handle = video.requestVideoFrameCallback(onFrame);
  current.undo.push(() => video.cancelVideoFrameCallback(handle));
}

/** Notes the current moment under `label`; returns it (ms since the first frame). */
function markWatch(label: string): number {
  if (!watch) throw new Error('no watch is running');
  const at = performance.now() - watch.firstFrameAt;
  watch.record.marks[label] = at;
  return at;
}

/** Ends the watch: removes the player, stops the load, restores MediaSource; returns what was recorded. */
function stopWatch(): WatchRecord | null {
  const current = watch;
  watch = undefined;
  if (!current) return null;
  for (const step of current.undo.reverse()) step();
  return current.record;
}

/** For the bench's finally: no player, load or patched MediaSource survives a failed measurement. */
function cleanUp(): void {
  stopWatch();
  for (const player of document.querySelectorAll('avatar-player')) player.remove();
}

const bench = { firstFrame, frameRate, startWatch, markWatch, stopWatch, cleanUp };
export type Bench = typeof bench;
Object.assign(window, { bench });
