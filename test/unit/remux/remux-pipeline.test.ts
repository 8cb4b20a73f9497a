import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackKind } from '../../../workers/media-sample.js';
import type { TrackSummary, WorkerEvent } from '../../../workers/remux-messages.js';
import { RemuxPipeline } from '../../../workers/remux-pipeline.js';
import { concatBytes, cut, demux } from '../../fixtures/demux-run.js';
import { makeStream } from '../../fixtures/fmp4-media.js';
import { readWithMp4box } from '../../fixtures/mp4box-read.js';

/** What the pipeline handed to the MediaSource side, per SourceBuffer. */
interface Collected {
  configs: TrackSummary[][];
  inits: Map<TrackKind, Uint8Array[]>;
  segments: Map<TrackKind, Uint8Array[]>;
  reports: Exclude<WorkerEvent, { type: 'handle' | 'segment' | 'tracks' }>[];
}

function runPipeline(bytes: Uint8Array, chunkSizes: number[]): Collected {
  const collected: Collected = { configs: [], inits: new Map(), segments: new Map(), reports: [] };
  const add = (map: Map<TrackKind, Uint8Array[]>, kind: TrackKind, data: Uint8Array) => map.set(kind, [...(map.get(kind) ?? []), data.slice()]);
  let clock = 0;
  const pipeline = new RemuxPipeline(
    {
      configure: (tracks, inits) => {
        collected.configs.push(tracks);
        for (const [kind, init] of inits) add(collected.inits, kind, init);
      },
      segment: (kind, data) => add(collected.segments, kind, data),
      report: (event) => collected.reports.push(event),
    },
    () => (clock += 5),
  );
  for (const chunk of cut(bytes, chunkSizes)) pipeline.push(chunk);
  return collected;
}

/** One SourceBuffer's bytes as MSE would see them: its first init, then every segment. */
function sourceBufferSamples(collected: Collected, kind: TrackKind) {
  const bytes = concatBytes([collected.inits.get(kind)![0]!, ...(collected.segments.get(kind) ?? [])]);
  const read = readWithMp4box(bytes);
  expect(read.error).toBeUndefined();
  const [track] = read.movie.tracks;
  return { timescale: track!.timescale, samples: read.samples.get(track!.id) ?? [] };
}

describe('RemuxPipeline', () => {
  let dir: string;
  let clips: Uint8Array[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'remux-pipeline-'));
    const paths = await Promise.all(
      [1.2, 1.6, 1.0].map((seconds, i) => makeStream(dir, { name: `clip-${i}.mp4`, seconds, video: 'baseline', audio: 'aac', gop: 10 })),
    );
    clips = paths.map((path) => new Uint8Array(readFileSync(path)));
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns clips that each restart at 0 into one continuous timeline per SourceBuffer, split at any byte', () => {
    const stream = concatBytes(clips);
    const collected = runPipeline(stream, [7, 1000, 3, 4093, 1]);
    const inputCounts = demux(stream).samples.reduce((counts, sample) => counts.set(sample.trackId, (counts.get(sample.trackId) ?? 0) + 1), new Map<number, number>());

    expect(collected.configs).toHaveLength(3);
    expect(collected.configs[0]!.map((track) => track.mimeType)).toEqual(['video/mp4; codecs="avc1.42c00d"', 'audio/mp4; codecs="mp4a.40.2"']);
    for (const kind of ['video', 'audio'] as const) {
      const { samples } = sourceBufferSamples(collected, kind);
      expect(samples.length).toBe(inputCounts.get(kind === 'video' ? 1 : 2));
      for (let i = 1; i < samples.length; i++) {
        const previous = samples[i - 1]!;
        expect(samples[i]!.dts, `${kind} sample ${i} starts before the previous one ends`).toBeGreaterThanOrEqual(previous.dts + previous.duration);
      }
      expect(samples[0]!.dts).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps each clip’s audio and video together: the splice offset equals the source’s', () => {
    const collected = runPipeline(concatBytes(clips), [4096]);
    const video = sourceBufferSamples(collected, 'video');
    const audio = sourceBufferSamples(collected, 'audio');
    const sourceLead = clips.map((clip) => {
      const run = demux(clip);
      const [videoTrack, audioTrack] = run.inits[0]!;
      const first = (id: number) => run.samples.find((sample) => sample.trackId === id)!;
      return first(audioTrack!.id).dts / audioTrack!.timescale - first(videoTrack!.id).dts / videoTrack!.timescale;
    });
    // Each clip's first output sample, found by counting the samples of the clips before it.
    const counts = clips.map((clip) => {
      const run = demux(clip);
      const [videoTrack, audioTrack] = run.inits[0]!;
      return { video: run.samples.filter((s) => s.trackId === videoTrack!.id).length, audio: run.samples.filter((s) => s.trackId === audioTrack!.id).length };
    });
    let videoIndex = 0;
    let audioIndex = 0;
    counts.forEach((count, clip) => {
      const videoStart = video.samples[videoIndex]!.dts / video.timescale;
      const audioStart = audio.samples[audioIndex]!.dts / audio.timescale;
      expect(audioStart - videoStart, `clip ${clip}`).toBeCloseTo(sourceLead[clip]!, 3);
      videoIndex += count.video;
      audioIndex += count.audio;
    });
  });

  it('reports anchors that map the output back to the source, and jitter figures', () => {
    const collected = runPipeline(concatBytes(clips), [1500]);
    const anchors = collected.reports.filter((report) => report.type === 'anchor');
    expect(anchors.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < anchors.length; i++) expect(anchors[i]!.outputTime).toBeGreaterThan(anchors[i - 1]!.outputTime);
    const jitter = collected.reports.find((report) => report.type === 'jitter');
    expect(jitter).toBeDefined();
  });
});
