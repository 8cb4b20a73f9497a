import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../../server/clips/clip.js';
import { makeDemoClips } from '../../../server/clips/demo-clips.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { ClipQueue } from '../../../server/playout/clip-queue.js';
import { Timeline, type TimelineSample } from '../../../server/playout/timeline.js';

const SPLICES = 100;

describe('playout timeline over real ffmpeg-made clips', () => {
  let cacheDir: string;
  let idle: Clip;
  let speaking: Clip[];
  let samples: TimelineSample[];

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'timeline-test-'));
    const demo = await makeDemoClips(cacheDir);
    idle = await loadClip(demo.idle, { cacheDir });
    speaking = await Promise.all(demo.speaking.map((path) => loadClip(path, { cacheDir })));
    const timeline = new Timeline(new ClipQueue({ idle, rotation: speaking }));
    samples = [];
    while ((samples.at(-1)?.clipSequence ?? 0) <= SPLICES) samples.push(timeline.next());
  });

  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it(`keeps audio gap-free and overlap-free across ${SPLICES} splices`, () => {
    const audio = samples.filter((s) => s.kind === 'audio');
    audio.slice(1).forEach((s, i) => expect(Math.abs(s.pts - (audio[i]!.pts + audio[i]!.duration))).toBeLessThan(1e-9));
  });

  it('never moves video backwards, and opens every clip with a keyframe', () => {
    const video = samples.filter((s) => s.kind === 'video');
    video.slice(1).forEach((s, i) => expect(s.pts).toBeGreaterThan(video[i]!.pts));
    video.forEach((s, i) => {
      if (i === 0 || s.clipSequence !== video[i - 1]!.clipSequence) expect(s.keyframe).toBe(true);
    });
  });

  it('keeps each clip’s video within its audio span, so audio and video ends stay aligned', () => {
    const clipStarts = new Map<number, number>();
    for (const s of samples) if (s.kind === 'audio' && !clipStarts.has(s.clipSequence)) clipStarts.set(s.clipSequence, s.pts);
    for (const s of samples.filter((x) => x.kind === 'video')) {
      const start = clipStarts.get(s.clipSequence)!;
      const next = clipStarts.get(s.clipSequence + 1) ?? Infinity;
      expect(s.pts).toBeGreaterThanOrEqual(start);
      expect(s.pts).toBeLessThan(next);
    }
  });

  it('alternates idle and speaking clips in the demo rotation', () => {
    const names = [...new Map(samples.map((s) => [s.clipSequence, s.clip.name])).values()].slice(0, 6);
    expect(names.filter((_, i) => i % 2 === 0).every((n) => n === idle.name)).toBe(true);
    expect(names.filter((_, i) => i % 2 === 1)).toEqual(speaking.map((c) => c.name));
  });
});
