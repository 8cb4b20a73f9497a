import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../../server/clips/ffmpeg.js';
import { SilenceDetector } from '../../../workers/timing/silence-detector.js';
import { demux } from '../../fixtures/demux-run.js';

/** 1 s of tone, 1 s of digital silence, 0.1 s of tone, 0.15 s of silence, 1 s of tone. */
const PATTERN = 'sine=frequency=440:duration=1,apad=pad_dur=1[a];sine=frequency=440:duration=0.1,apad=pad_dur=0.15[b];sine=frequency=440:duration=1[c];[a][b][c]concat=n=3:v=0:a=1';

async function encode(dir: string, codec: 'opus' | 'aac'): Promise<Uint8Array> {
  const output = join(dir, `speech-pause.${codec}.mp4`);
  const audio = codec === 'opus' ? ['-c:a', 'libopus', '-b:a', '48k'] : ['-c:a', 'aac', '-b:a', '64k'];
  await runFfmpeg(['-f', 'lavfi', '-i', PATTERN, ...audio, '-ar', '48000', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-fflags', '+bitexact', output], { timeoutMs: 30_000 });
  return new Uint8Array(readFileSync(output));
}

function silentRanges(bytes: Uint8Array): [number, number][] {
  const run = demux(bytes);
  const [track] = run.inits[0]!;
  const detector = new SilenceDetector();
  for (const sample of run.samples) {
    const start = (sample.dts + sample.cto) / track!.timescale;
    detector.add(start, start + sample.duration / track!.timescale, sample.data.byteLength);
  }
  return detector.ranges();
}

describe('SilenceDetector on real encoder output', () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'silence-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['opus', 'aac'] as const)('finds the 1 s pause in %s and ignores the 0.15 s one', async (codec) => {
    const ranges = silentRanges(await encode(dir, codec));
    expect(ranges).toHaveLength(1);
    const [start, end] = ranges[0]!;
    // Never before the tone ends; an encoder may spend bits on a few frames after it (libopus: ≈ 0.2 s).
    expect(start).toBeGreaterThan(0.95);
    expect(start).toBeLessThan(1.3);
    expect(end).toBeGreaterThan(1.85);
    expect(end).toBeLessThan(2.05);
  });
});
