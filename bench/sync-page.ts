/**
 * Runs in the bench page: plays one <avatar-player> on one path and, for every presented frame, reads the
 * frame code and the picture's brightness (flashes); an AudioWorklet on the element's sound finds the beeps.
 * Times are wall-clock ms on this machine's clock (performance.timeOrigin + performance time), the same clock
 * the server's send log uses when both run on one machine.
 */
import type { AvatarPlayer } from '../components/avatar-player/avatar-player.js';
import { blockLumasFromStrip, CODE_BLOCK_PX, CODE_BLOCKS, CODE_HEIGHT_PX, decodeBlocks, meanLuma } from './media/sync-code.js';
import type { OnsetMessage } from './beep-worklet.js';
import { addPlayer, waitForFirstFrame, type FirstFrame } from './page.js';
import type { SeenFrame } from './sync-analysis.js';

export interface SyncOptions {
  src: string;
  transports: 'webrtc' | 'mse';
}

/** How the sound was tapped, and what the AudioContext says of its own delay. */
export interface AudioTap {
  source: 'media-element' | 'media-stream';
  sampleRate: number;
  /** AudioContext.outputLatency and baseLatency, s (informative: getOutputTimestamp already maps to output time). */
  outputLatency: number;
  baseLatency: number;
}

export interface SyncRecord {
  firstFrame: FirstFrame;
  frames: SeenFrame[];
  /** Beep onsets, wall-clock ms at the audio output (getOutputTimestamp's mapping of the onset's frame). */
  beepsMs: number[];
  /**
   * Per onset: how far the AudioContext renders ahead of its output at that moment ((currentTime −
   * getOutputTimestamp().contextTime), ms). The sound entered the graph about this long before it was output.
   */
  renderAheadMs: number[];
  audio: AudioTap;
  /** Frame callbacks that skipped presented frames (presentedFrames jumped by more than one). */
  skippedCallbacks: number;
  /** `stats` events the element fired, and the last one's detail. */
  statsEvents: number;
  lastStats: unknown;
  /** The front <video>'s `muted` when the watch started: a muted element has no sound to measure. */
  videoMuted: boolean;
  /** Date.now() − (performance.timeOrigin + performance.now()) at the start, ms: the two page clocks' disagreement. */
  pageClockSkewMs: number;
  errors: string[];
}

const MAX_FRAMES = 12_000;
const MAX_BEEPS = 2_000;
const LUMA_SIZE = { width: 32, height: 18 };

interface SyncWatch {
  player: AvatarPlayer;
  record: SyncRecord;
  undo: (() => void | Promise<void>)[];
}

let current: SyncWatch | undefined;

function frontVideo(player: AvatarPlayer): HTMLVideoElement {
  const video = player.shadowRoot?.querySelector<HTMLVideoElement>('video[data-role=front]');
  if (!video) throw new Error('the player has no front <video>');
  return video;
}

function wallMs(performanceMs: number): number {
  return performance.timeOrigin + performanceMs;
}

async function startSync(options: SyncOptions): Promise<FirstFrame> {
  if (current) throw new Error('a sync watch is already running');
  const started = performance.now();
  const player = addPlayer({ src: options.src, transports: options.transports });
  const errors: string[] = [];
  player.addEventListener('error', (e) => errors.push(`${e.detail.code}: ${e.detail.message}`));
  const watch: SyncWatch = { player, undo: [() => player.remove()], record: emptyRecord(errors) };
  current = watch;
  try {
    watch.record.firstFrame = await waitForFirstFrame(player, started);
    const video = frontVideo(player);
    watch.record.videoMuted = video.muted;
    watch.record.pageClockSkewMs = Date.now() - wallMs(performance.now());
    countStats(watch);
    watch.record.audio = await listenForBeeps(watch, video, options.transports);
    watchFrames(watch, video);
    return watch.record.firstFrame;
  } catch (error) {
    await stopSync();
    throw error;
  }
}

function emptyRecord(errors: string[]): SyncRecord {
  return {
    firstFrame: { elementMs: 0, pageMs: 0, transport: '' },
    frames: [],
    beepsMs: [],
    renderAheadMs: [],
    audio: { source: 'media-element', sampleRate: 0, outputLatency: 0, baseLatency: 0 },
    skippedCallbacks: 0,
    statsEvents: 0,
    lastStats: null,
    videoMuted: false,
    pageClockSkewMs: 0,
    errors,
  };
}

function countStats(watch: SyncWatch): void {
  const onStats = (e: Event) => {
    watch.record.statsEvents++;
    watch.record.lastStats = (e as CustomEvent<unknown>).detail;
  };
  watch.player.addEventListener('stats', onStats);
  watch.undo.push(() => watch.player.removeEventListener('stats', onStats));
}

/**
 * MSE: the element's own output (createMediaElementSource), which is what the page would play. WebRTC: the
 * element's MediaStream (createMediaStreamSource): Chromium does not route a MediaStream-backed element's sound
 * through createMediaElementSource, and the stream's audio track is what the element plays.
 */
async function listenForBeeps(watch: SyncWatch, video: HTMLVideoElement, transport: SyncOptions['transports']): Promise<AudioTap> {
  const context = new AudioContext({ latencyHint: 'interactive' });
  watch.undo.push(() => context.close());
  await context.audioWorklet.addModule(new URL('./beep-worklet.ts', import.meta.url));
  await context.resume();
  let source: AudioNode;
  if (transport === 'mse') {
    source = context.createMediaElementSource(video);
  } else {
    const stream = video.srcObject;
    if (!(stream instanceof MediaStream) || stream.getAudioTracks().length === 0) throw new Error('the WebRTC video has no audio track');
    source = context.createMediaStreamSource(stream);
  }
  const detector = new AudioWorkletNode(context, 'beep-onset', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
  detector.port.onmessage = (event: MessageEvent<OnsetMessage>) => {
    const at = context.getOutputTimestamp();
    if (!at.performanceTime || at.contextTime === undefined || watch.record.beepsMs.length >= MAX_BEEPS) return;
    const onsetMs = at.performanceTime + (event.data.frame / context.sampleRate - at.contextTime) * 1000;
    watch.record.beepsMs.push(wallMs(onsetMs));
    watch.record.renderAheadMs.push((context.currentTime - at.contextTime) * 1000);
  };
  source.connect(detector);
  // The element's sound still reaches the speakers (MSE: it now flows only through this graph).
  source.connect(context.destination);
  detector.connect(context.destination);
  return {
    source: transport === 'mse' ? 'media-element' : 'media-stream',
    sampleRate: context.sampleRate,
    outputLatency: context.outputLatency,
    baseLatency: context.baseLatency,
  };
}

function canvasContext(width: number, height: number): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2D canvas context');
  return context;
}

function watchFrames(watch: SyncWatch, video: HTMLVideoElement): void {
  const stripWidth = CODE_BLOCKS * CODE_BLOCK_PX;
  const strip = canvasContext(stripWidth, CODE_HEIGHT_PX);
  const whole = canvasContext(LUMA_SIZE.width, LUMA_SIZE.height);
  let handle = 0;
  let lastPresented = -1;
  const onFrame: VideoFrameRequestCallback = (_now, metadata) => {
    if (current !== watch || watch.record.frames.length >= MAX_FRAMES) return;
    if (lastPresented >= 0 && metadata.presentedFrames > lastPresented + 1) watch.record.skippedCallbacks++;
    lastPresented = metadata.presentedFrames;
    const scale = video.videoWidth / stripWidth;
    strip.drawImage(video, 0, 0, stripWidth * scale, CODE_HEIGHT_PX * scale, 0, 0, stripWidth, CODE_HEIGHT_PX);
    whole.drawImage(video, 0, 0, LUMA_SIZE.width, LUMA_SIZE.height);
    const code = decodeBlocks(blockLumasFromStrip(strip.getImageData(0, 0, stripWidth, CODE_HEIGHT_PX).data, stripWidth, CODE_HEIGHT_PX));
    const stats = watch.player.getStats();
    watch.record.frames.push({
      displayMs: wallMs(metadata.expectedDisplayTime),
      clip: code?.clip ?? null,
      frame: code?.frame ?? null,
      luma: meanLuma(whole.getImageData(0, 0, LUMA_SIZE.width, LUMA_SIZE.height).data),
      statsLatencyMs: figureOf(stats, 'latencyMs'),
      statsAvOffsetMs: figureOf(stats, 'avOffsetMs'),
    });
    handle = video.requestVideoFrameCallback(onFrame);
  };
  handle = video.requestVideoFrameCallback(onFrame);
  watch.undo.push(() => video.cancelVideoFrameCallback(handle));
}

/** A number from getStats(), or null: the figures differ between paths and versions of the element. */
function figureOf(stats: object, name: string): number | null {
  const value = (stats as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Ends the watch (player removed, AudioContext closed) and returns what it saw. */
async function stopSync(): Promise<SyncRecord | null> {
  const watch = current;
  current = undefined;
  if (!watch) return null;
  for (const step of watch.undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  return watch.record;
}

const benchSync = { startSync, stopSync };
export type BenchSync = typeof benchSync;
Object.assign(window, { benchSync });
