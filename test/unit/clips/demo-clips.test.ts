import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoClips, type DemoClips } from '../../../server/clips/demo-clips.js';
import { runFfmpeg } from '../../../server/clips/ffmpeg.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { clipProblems } from '../../fixtures/clip-checks.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';

/** Where demo-face.ts draws the mouth on the 320×320 frame. */
const MOUTH_CROP = { x: 112, y: 212, width: 96, height: 60 };
const FPS = 25;

let dir: MediaDir;
let demo: DemoClips;

beforeAll(async () => {
  dir = await makeMediaDir('avatar-demo-');
  demo = await makeDemoClips(join(dir.dir, 'cache'));
});

afterAll(() => dir?.cleanup());

/** Per video frame: how many pixels of the mouth box are dark (the open mouth). */
async function mouthOpening(clip: string): Promise<number[]> {
  const raw = join(dir.dir, 'mouth.gray');
  const { x, y, width, height } = MOUTH_CROP;
  await runFfmpeg(['-i', clip, '-vf', `crop=${width}:${height}:${x}:${y},format=gray`, '-f', 'rawvideo', raw], { timeoutMs: 20_000 });
  const pixels = await readFile(raw);
  const frames: number[] = [];
  for (let start = 0; start + width * height <= pixels.length; start += width * height) {
    let dark = 0;
    for (let i = start; i < start + width * height; i++) if (pixels[i]! < 70) dark++;
    frames.push(dark);
  }
  return frames;
}

/** Per video frame: the RMS of the decoded audio within ±20 ms of the frame's time. */
async function loudness(clip: string, frames: number): Promise<number[]> {
  const raw = join(dir.dir, 'voice.f32');
  await runFfmpeg(['-i', clip, '-ac', '1', '-ar', '48000', '-f', 'f32le', raw], { timeoutMs: 20_000 });
  const bytes = await readFile(raw);
  const samples = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
  return Array.from({ length: frames }, (_, n) => {
    const centre = Math.round((n / FPS) * 48000);
    let sum = 0;
    let count = 0;
    for (let i = Math.max(0, centre - 960); i < Math.min(samples.length, centre + 960); i++, count++) sum += samples[i]! ** 2;
    return Math.sqrt(sum / Math.max(1, count));
  });
}

function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((x, i) => {
    const y = b[i]!;
    ab += (x - ma) * (y - mb);
    aa += (x - ma) ** 2;
    bb += (y - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

describe('makeDemoClips', () => {
  it('makes an idle loop and three speaking clips of different lengths that load without normalising', async () => {
    expect(demo.speaking).toHaveLength(3);
    const clips = await Promise.all([demo.idle, ...demo.speaking].map((path) => loadClip(path, { cacheDir: join(dir.dir, 'cache') })));
    for (const clip of clips) {
      expect(clipProblems(clip)).toEqual([]);
      expect(clip.video).toMatchObject({ width: 320, height: 320 });
      expect(clip.duration).toBeGreaterThan(1.9);
      expect(clip.duration).toBeLessThan(4.1);
    }
    expect(clips.map((clip) => clip.path)).toEqual([demo.idle, ...demo.speaking]);
    expect(clips[0]!.duration).toBeCloseTo(3, 1);
    expect(new Set(clips.slice(1).map((clip) => clip.duration.toFixed(2))).size).toBe(3);
  });

  it('moves the mouth in step with the voice, and keeps it shut and silent when idle', async () => {
    for (const clip of demo.speaking) {
      const mouth = await mouthOpening(clip);
      const voice = await loudness(clip, mouth.length);
      expect(correlation(mouth, voice)).toBeGreaterThan(0.9);
      expect(Math.max(...mouth)).toBeGreaterThan(5 * Math.min(...mouth));
    }
    const idleMouth = await mouthOpening(demo.idle);
    expect(Math.max(...idleMouth) - Math.min(...idleMouth)).toBeLessThanOrEqual(10);
    expect(Math.max(...(await loudness(demo.idle, idleMouth.length)))).toBeLessThan(1e-3);
  });

  it('reuses valid demo clips instead of making them again', async () => {
    const before = await Promise.all([demo.idle, ...demo.speaking].map((path) => stat(path)));
    const again = await makeDemoClips(join(dir.dir, 'cache'));
    expect(again).toEqual(demo);
    const after = await Promise.all([again.idle, ...again.speaking].map((path) => stat(path)));
    expect(after.map((s) => s.mtimeMs)).toEqual(before.map((s) => s.mtimeMs));
  });
});
