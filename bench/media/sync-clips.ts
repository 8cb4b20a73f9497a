/**
 * The sync bench's clips, made with ffmpeg at bench time: a flat picture whose first frame, and every 25th
 * after it, is a full white flash; a 20 ms 1 kHz beep that starts at the same instant (silence otherwise);
 * and the frame code (sync-code.ts) burned into every frame by geq. Made once per recipe into a cache folder,
 * and checked to fit the server as they are (no re-encode by the server: the codes stay as made here).
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runFfmpeg } from '../../server/clips/ffmpeg.js';
import { planNormalisation } from '../../server/clips/normalise.js';
import { probeClip } from '../../server/clips/probe.js';
import { CODE_BLOCK_PX, CODE_BLOCKS, CODE_HEIGHT_PX, codeGeqExpression } from './sync-code.js';

/** Bump when the recipe changes: file names carry it. */
const RECIPE = 'r1';
export const SYNC_FPS = 25;
export const WIDTH = CODE_BLOCKS * CODE_BLOCK_PX;
export const HEIGHT = 180;
/** Frames between flashes (and beeps): one second. */
export const FLASH_PERIOD_FRAMES = SYNC_FPS;
export const BEEP = { hz: 1000, seconds: 0.02, amplitude: 0.5 };
const GOP_FRAMES = 12;
const TIMEOUT_MS = 60_000;

export interface SyncClipSpec {
  /** 0..15, burned into every frame. */
  id: number;
  seconds: number;
}

export const IDLE_CLIP: SyncClipSpec = { id: 0, seconds: 2 };
/** Lengths on the 40 ms frame grid and the 20 ms Opus grid, none a whole second: flashes fall at every phase of a splice. */
export const SPEAKING_CLIPS: SyncClipSpec[] = [
  { id: 1, seconds: 2.2 },
  { id: 2, seconds: 2.6 },
  { id: 3, seconds: 3.0 },
  { id: 4, seconds: 3.4 },
];

export interface SyncClips {
  idle: string;
  /** Speaking clips by id. */
  speaking: Map<number, string>;
}

export function clipFileName(spec: SyncClipSpec): string {
  return `sync-${RECIPE}-c${spec.id}-${Math.round(spec.seconds * 1000)}ms.mp4`;
}

/** Makes (or reuses) every clip in `dir`. */
export async function makeSyncClips(dir: string): Promise<SyncClips> {
  await mkdir(dir, { recursive: true });
  const idle = await ensureClip(dir, IDLE_CLIP);
  const speaking = new Map<number, string>();
  for (const spec of SPEAKING_CLIPS) speaking.set(spec.id, await ensureClip(dir, spec));
  return { idle, speaking };
}

async function ensureClip(dir: string, spec: SyncClipSpec): Promise<string> {
  const output = resolve(dir, clipFileName(spec));
  if (await exists(output)) return output;
  const temp = join(dir, `.${clipFileName(spec)}.${process.pid}.${randomUUID()}.part`);
  try {
    await runFfmpeg(syncClipArgs(spec, temp), { timeoutMs: TIMEOUT_MS });
    const plan = planNormalisation(await probeClip(temp));
    if (plan) throw new Error(`bench clip ${clipFileName(spec)} would be re-encoded by the server: ${plan.reasons.join('; ')}`);
    await rename(temp, output);
  } finally {
    await rm(temp, { force: true });
  }
  return output;
}

/** Deterministic ffmpeg arguments (one thread, bit-exact flags) for one clip. */
export function syncClipArgs(spec: SyncClipSpec, output: string): string[] {
  const d = spec.seconds.toFixed(3);
  const size = `${WIDTH}x${HEIGHT}`;
  const flash = `drawbox=x=0:y=0:w=iw:h=ih:c=white:t=fill:enable='eq(mod(n,${FLASH_PERIOD_FRAMES}),0)'`;
  const graph = [
    `color=c=0x303030:s=${size}:r=${SYNC_FPS}:d=${d},format=yuv420p,${flash}[bg]`,
    `color=c=gray:s=${WIDTH}x${CODE_HEIGHT_PX}:r=${SYNC_FPS}:d=${d},format=yuv420p,geq=lum='${codeGeqExpression(spec.id)}':cb=128:cr=128[code]`,
    `[bg][code]overlay=x=0:y=0:shortest=1,format=yuv420p[v]`,
  ].join(';');
  const beep = `if(lt(mod(t,1),${BEEP.seconds}),${BEEP.amplitude}*sin(2*PI*${BEEP.hz}*t),0)`;
  const gop = String(GOP_FRAMES);
  return [
    '-filter_complex', graph,
    '-f', 'lavfi', '-i', `aevalsrc=exprs='${beep}':s=48000:d=${d}`,
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-bf', '0',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-crf', '23',
    '-c:a', 'libopus', '-ar', '48000', '-ac', '1', '-b:a', '64k', '-frame_duration', '20',
    '-threads', '1', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
    '-movflags', '+faststart', '-f', 'mp4', output,
  ];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
