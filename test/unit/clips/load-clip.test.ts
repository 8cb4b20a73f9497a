import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipError, loadClip } from '../../../server/clips/load-clip.js';
import { parseMp4 } from '../../../server/clips/mp4-parse.js';
import { readClipBytes } from '../../../server/clips/probe.js';
import { clipProblems } from '../../fixtures/clip-checks.js';
import * as media from '../../fixtures/media.js';

const ONE_OPUS_FRAME = 0.02;

let dir: media.MediaDir;
let cacheDir: string;

beforeAll(async () => {
  dir = await media.makeMediaDir();
  cacheDir = join(dir.dir, 'cache');
});

afterAll(() => dir?.cleanup());

async function errorOf(promise: Promise<unknown>): Promise<ClipError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClipError);
  return error as ClipError;
}

async function cacheFiles(): Promise<string[]> {
  return readdir(join(cacheDir, 'normalised')).catch(() => []);
}

describe('loadClip', () => {
  it('demuxes a clip that fits without running ffmpeg', async () => {
    const source = await media.makeGoodClip(dir.dir);
    const clip = await loadClip(source, { cacheDir });
    expect(clipProblems(clip)).toEqual([]);
    expect(clip.path).toBe(source);
    expect(clip.name).toBe('good.mp4');
    expect(clip.videoSamples).toHaveLength(50);
    expect(clip.video).toMatchObject({ width: 320, height: 240 });
    expect(clip.audio).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 1, preSkip: 312 });
    expect(Math.abs(clip.duration - (await media.ffprobeDuration(source)))).toBeLessThanOrEqual(ONE_OPUS_FRAME);
    expect(await cacheFiles()).toEqual([]);
  });

  it('re-encodes a clip with B-frames into one without, once: the second load reuses the cached file', async () => {
    const source = await media.makeBFramesClip(dir.dir);
    const first = await loadClip(source, { cacheDir });
    expect(clipProblems(first)).toEqual([]);
    expect(first.path.startsWith(join(cacheDir, 'normalised'))).toBe(true);
    expect(first.name).toBe('bframes.mp4');
    expect(first.videoSamples).toHaveLength(50);
    expect(Math.abs(first.duration - (await media.ffprobeDuration(source)))).toBeLessThanOrEqual(ONE_OPUS_FRAME);
    const before = await stat(first.path);

    const second = await loadClip(source, { cacheDir });
    const after = await stat(second.path);
    expect(second.path).toBe(first.path);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect((await cacheFiles()).filter((name) => name.startsWith('bframes'))).toHaveLength(1);
  });

  it('converts AAC audio to Opus and copies the video as it is', async () => {
    const source = await media.makeAacClip(dir.dir);
    const clip = await loadClip(source, { cacheDir });
    expect(clipProblems(clip)).toEqual([]);
    expect(clip.path).not.toBe(source);
    const original = parseMp4(await readClipBytes(source), source).video!.samples;
    expect(clip.videoSamples.map((sample) => Buffer.from(sample.data).toString('base64'))).toEqual(
      original.map((sample) => Buffer.from(sample.data!).toString('base64')),
    );
    expect(Math.abs(clip.duration - (await media.ffprobeDuration(source)))).toBeLessThanOrEqual(ONE_OPUS_FRAME);
  });

  it('gives a clip without audio a silent Opus track as long as its video', async () => {
    const source = await media.makeVideoOnlyClip(dir.dir, { seconds: 1.6 });
    const clip = await loadClip(source, { cacheDir });
    expect(clipProblems(clip)).toEqual([]);
    expect(clip.videoSamples).toHaveLength(40);
    expect(Math.abs(clip.duration - (await media.ffprobeDuration(source, 'video')))).toBeLessThanOrEqual(ONE_OPUS_FRAME);
  });

  it('loads a moov-at-end clip as it is', async () => {
    const source = await media.makeMoovAtEndClip(dir.dir);
    const clip = await loadClip(source, { cacheDir });
    expect(clipProblems(clip)).toEqual([]);
    expect(clip.path).toBe(source);
  });

  it('rejects broken files with a ClipError code', async () => {
    expect((await errorOf(loadClip(await media.makeTruncatedClip(dir.dir), { cacheDir }))).code).toBe('truncated');
    expect((await errorOf(loadClip(await media.makeTextFile(dir.dir), { cacheDir }))).code).toBe('not-mp4');
    expect((await errorOf(loadClip(await media.makeRandomBytesFile(dir.dir), { cacheDir }))).code).toBe('not-mp4');
    expect((await errorOf(loadClip(await media.makeAudioOnlyClip(dir.dir), { cacheDir }))).code).toBe('no-video');
  });

  it("reports ffmpeg's own error when normalising fails, and leaves no partial file behind", async () => {
    const source = await media.makeZeroedMediaClip(dir.dir);
    const error = await errorOf(loadClip(source, { cacheDir }));
    expect(error.code).toBe('normalise-failed');
    expect(error.message).toContain('zeroed-media.mp4');
    expect(error.message).toMatch(/ffmpeg exited with code \d+: .*(stream|decod|Invalid)/i);
    expect((await cacheFiles()).filter((name) => name.includes('zeroed'))).toEqual([]);
  });
});
