import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClipCaption } from '../cues/clip-cues.js';
import { sidecarPathOf } from '../cues/clip-sidecar.js';
import { isClipError } from './clip-error.js';
import { faceFilterGraph, FRAME_RATE, voiceExpression, type FaceClipSpec } from './demo-face.js';
import { runFfmpeg } from './ffmpeg.js';
import { planNormalisation } from './normalise.js';
import { probeClip } from './probe.js';

/** Bump when the recipe changes: the file names carry it, so old demo clips are not reused. */
const RECIPE_VERSION = 'v1';
const TIMEOUT_MS = 60_000;
const GOP_FRAMES = String(Math.floor(FRAME_RATE * 0.5));

export interface DemoClips {
  idle: string;
  speaking: string[];
}

const IDLE: FaceClipSpec = { seconds: 3, blinkAt: 1.5 };
const SPEAKING: FaceClipSpec[] = [
  { seconds: 2, blinkAt: 1.2, speech: { syllableRate: 4, pitchHz: 180 } },
  { seconds: 2.8, blinkAt: 0.6, speech: { syllableRate: 3.5, pitchHz: 150 } },
  { seconds: 3.6, blinkAt: 2.4, speech: { syllableRate: 4.5, pitchHz: 220 } },
];
/** The demo's sidecar captions, one list per speaking clip (seconds from the clip's start). */
const CAPTIONS: ClipCaption[][] = [
  [{ start: 0, end: 2, text: 'Hello! I am the demo avatar.' }],
  [
    { start: 0, end: 1.4, text: 'My lips move with my voice,' },
    { start: 1.4, end: 2.8, text: 'and these captions follow the clip.' },
  ],
  [
    { start: 0, end: 1.8, text: 'Every cue has a time on the stream,' },
    { start: 1.8, end: 3.6, text: 'so it shows with the frame it belongs to.' },
  ],
];

/**
 * The built-in demo avatar: an idle loop and three speaking clips whose mouth moves with their voice.
 * Generated with ffmpeg into `cacheDir/demo` once; later calls reuse the files while they stay valid.
 */
export async function makeDemoClips(cacheDir: string): Promise<DemoClips> {
  const dir = resolve(cacheDir, 'demo');
  await mkdir(dir, { recursive: true });
  const idle = await ensureClip(dir, `idle-${RECIPE_VERSION}.mp4`, IDLE);
  const speaking: string[] = [];
  for (const [index, spec] of SPEAKING.entries()) {
    const name = `speaking-${index + 1}-${RECIPE_VERSION}.mp4`;
    // A generator writes the sidecar before its clip: the clip folder's watcher acts on the .mp4.
    await ensureSidecar(join(dir, name), { captions: CAPTIONS[index] ?? [] });
    speaking.push(await ensureClip(dir, name, spec));
  }
  return { idle, speaking };
}

async function ensureClip(dir: string, name: string, spec: FaceClipSpec): Promise<string> {
  const output = join(dir, name);
  if (await isValidDemoClip(output)) return output;
  const temp = join(dir, `.${name}.${process.pid}.${randomUUID()}.part`);
  try {
    await runFfmpeg(demoClipArgs(spec, temp), { timeoutMs: TIMEOUT_MS });
    await rename(temp, output);
  } finally {
    await rm(temp, { force: true });
  }
  return output;
}

async function ensureSidecar(clipPath: string, content: object): Promise<void> {
  const path = sidecarPathOf(clipPath);
  const text = `${JSON.stringify(content, null, 2)}\n`;
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) return;
  const temp = `${path}.${process.pid}.${randomUUID()}.part`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

async function isValidDemoClip(path: string): Promise<boolean> {
  try {
    return planNormalisation(await probeClip(path)) === undefined;
  } catch (error) {
    if (isClipError(error)) return false;
    throw error;
  }
}

/** Deterministic: the same arguments give the same bytes (one encoder thread, no version strings). */
export function demoClipArgs(spec: FaceClipSpec, output: string): string[] {
  const audio = spec.speech ? `aevalsrc=exprs='${voiceExpression(spec.speech, spec.seconds)}':s=48000:d=${spec.seconds}` : `anullsrc=r=48000:cl=mono`;
  return [
    '-filter_complex', faceFilterGraph(spec),
    '-f', 'lavfi', '-t', String(spec.seconds), '-i', audio,
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-bf', '0',
    '-g', GOP_FRAMES, '-keyint_min', GOP_FRAMES, '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-crf', '23',
    '-c:a', 'libopus', '-ar', '48000', '-ac', '1', '-b:a', '48k', '-frame_duration', '20',
    '-threads', '1', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
    '-movflags', '+faststart', '-f', 'mp4', output,
  ];
}
