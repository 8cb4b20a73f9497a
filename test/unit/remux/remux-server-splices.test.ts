import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoClips } from '../../../server/clips/demo-clips.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { MseFragmenter } from '../../../server/outputs/mse/mse-fragmenter.js';
import { initSegmentOf, sameBytes } from '../../../server/outputs/mse/mse-tracks.js';
import { ClipQueue } from '../../../server/playout/clip-queue.js';
import { opusPacketSamples } from '../../../server/playout/opus-packet.js';
import { Timeline, type TimelineSample } from '../../../server/playout/timeline.js';
import type { TrackKind } from '../../../workers/media-sample.js';
import { RemuxPipeline } from '../../../workers/remux-pipeline.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { boxesOf } from '../server/mse-client.js';

const STREAM_SECONDS = 12;
const TIMESCALE: Record<TrackKind, number> = { video: 90000, audio: 48000 };

interface OutputSample {
  dts: number;
  duration: number;
  data: Uint8Array;
}

/** The samples of one output segment, read from its own boxes (tfdt, trun: duration, size, flags, cto; mdat). */
function samplesOfSegment(segment: Uint8Array): OutputSample[] {
  const top = boxesOf(segment);
  const traf = boxesOf(top.find((b) => b.type === 'moof')!.body).find((b) => b.type === 'traf')!;
  const children = boxesOf(traf.body);
  const view = (type: string) => {
    const body = children.find((b) => b.type === type)!.body;
    return new DataView(body.buffer, body.byteOffset, body.byteLength);
  };
  const tfdt = view('tfdt');
  const trun = view('trun');
  const mdat = top.find((b) => b.type === 'mdat')!.body;
  let dts = Number(tfdt.getBigUint64(4));
  let offset = 0;
  return Array.from({ length: trun.getUint32(4) }, (_, i) => {
    const duration = trun.getUint32(12 + i * 16);
    const size = trun.getUint32(16 + i * 16);
    const sample = { dts, duration, data: mdat.subarray(offset, offset + size) };
    dts += duration;
    offset += size;
    return sample;
  });
}

describe('the worker’s remux of the reference server’s MSE stream across clip splices (demo clips)', () => {
  let media: MediaDir;
  let input: TimelineSample[];
  const output = new Map<TrackKind, OutputSample[]>();

  beforeAll(async () => {
    media = await makeMediaDir('remux-splices-');
    const cacheDir = join(media.dir, 'cache');
    const demo = await makeDemoClips(cacheDir);
    const idle = await loadClip(demo.idle, { cacheDir });
    const speaking = await Promise.all(demo.speaking.map((path) => loadClip(path, { cacheDir })));
    const timeline = new Timeline(new ClipQueue({ idle, rotation: speaking }));
    const pipeline = new RemuxPipeline({
      configure: () => undefined,
      segment: (kind, data) => output.set(kind, [...(output.get(kind) ?? []), ...samplesOfSegment(data)]),
      report: () => undefined,
    });
    const fragmenter = new MseFragmenter();
    input = [];
    let init: Uint8Array | undefined;
    while (timeline.position < STREAM_SECONDS) {
      const sample = timeline.next();
      if (input.length === 0 && sample.kind !== 'video') continue; // a viewer starts on a keyframe
      if (!sameBytes(init, initSegmentOf(sample.clip))) pipeline.push((init = initSegmentOf(sample.clip))); // as the server does
      pipeline.push(fragmenter.fragmentOf(sample));
      input.push(sample);
    }
    for (let i = 0; i < 10; i++) {
      const sample = timeline.next(); // the jitter buffer holds each track's newest run open until more comes
      pipeline.push(fragmenter.fragmentOf(sample));
      input.push(sample);
    }
  }, 120_000);

  afterAll(() => media?.cleanup());

  it('puts out every input sample once, in order', () => {
    expect(new Set(input.map((s) => s.clipSequence)).size).toBeGreaterThanOrEqual(5);
    for (const kind of ['video', 'audio'] as const) {
      const sent = input.filter((s) => s.kind === kind);
      const out = output.get(kind) ?? [];
      expect(out.length).toBeGreaterThanOrEqual(sent.length - 10);
      out.forEach((s, i) => expect(s.data).toEqual(sent[i]!.data));
    }
  });

  it('keeps output audio free of gaps and overlaps: each packet starts where the previous one’s sound ended', () => {
    const audio = output.get('audio')!;
    audio.slice(1).forEach((s, i) => {
      const previous = audio[i]!;
      expect(s.dts - previous.dts).toBe(opusPacketSamples(previous.data));
    });
  });

  it('keeps the audio–video distance of the input: one offset for every sample of both tracks', () => {
    const offsets: number[] = [];
    for (const kind of ['video', 'audio'] as const) {
      const sent = input.filter((s) => s.kind === kind);
      for (const [i, s] of (output.get(kind) ?? []).entries()) offsets.push(s.dts / TIMESCALE[kind] - sent[i]!.pts);
    }
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThan(2 / 90000);
  });
});
