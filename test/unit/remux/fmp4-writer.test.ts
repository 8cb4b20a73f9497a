import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AudioSampleEntry, VisualSampleEntry, type Sample } from 'mp4box';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxPayload, parseMp4, type ParsedMp4 } from '../../../server/clips/mp4-parse.js';
import { readClipBytes } from '../../../server/clips/probe.js';
import { avc1SampleEntry, Fmp4WriterError, opusSampleEntry, writeInitSegment, writeMediaSegment, type TrackRun } from '../../../workers/fmp4/index.js';
import type { MediaSample, TrackInfo } from '../../../workers/media-sample.js';
import { ffprobePackets } from '../../fixtures/ffprobe-packets.js';
import * as media from '../../fixtures/media.js';
import { readWithMp4box } from '../../fixtures/mp4box-read.js';

interface Source {
  tracks: TrackInfo[];
  video: MediaSample[];
  audio: MediaSample[];
}

let dir: media.MediaDir;
let good: Source;
let bframes: Source;

beforeAll(async () => {
  dir = await media.makeMediaDir();
  good = sourceOf(parseMp4(await readClipBytes(await media.makeGoodClip(dir.dir, { seconds: 1.2 })), 'good'));
  bframes = sourceOf(parseMp4(await readClipBytes(await media.makeBFramesClip(dir.dir, { seconds: 1.2 })), 'bframes'));
});

afterAll(() => dir?.cleanup());

describe('fMP4 writer', () => {
  it('writes H.264 + Opus that mp4box reads back sample for sample', () => {
    const bytes = writeStream(good, 5);
    const read = readWithMp4box(bytes);
    expect(read.error).toBeUndefined();
    expect(read.movie.isFragmented).toBe(true);
    expectTracks(read, good.tracks);
    expectSamples(read.samples.get(1), good.video);
    expectSamples(read.samples.get(2), good.audio);
  });

  it('keeps composition offsets of B-frames, negative ones too (trun version 1)', () => {
    expect(bframes.video.some((sample) => sample.cto !== 0)).toBe(true);
    const shifted = { ...bframes, video: bframes.video.map((sample) => ({ ...sample, cto: sample.cto - 1024 })) };
    for (const source of [bframes, shifted]) {
      const read = readWithMp4box(writeStream(source, 4));
      expectSamples(read.samples.get(1), source.video);
      expectSamples(read.samples.get(2), source.audio);
    }
  });

  it('absorbs gaps inside a run into durations, so every dts stays exact', () => {
    const gapped = good.video.map((sample, index) => ({ ...sample, dts: sample.dts + (index >= 3 ? 5120 : 0) }));
    const read = readWithMp4box(concat([writeInitSegment([good.tracks[0]!]), writeMediaSegment(1, [{ trackId: 1, samples: gapped }])]));
    const samples = read.samples.get(1)!;
    expect(samples.map((sample) => sample.dts)).toEqual(gapped.map((sample) => sample.dts));
    expect(samples[2]!.duration).toBe(gapped[3]!.dts - gapped[2]!.dts);
    expect(samples.at(-1)!.duration).toBe(gapped.at(-1)!.duration);
  });

  it('writes a stream ffprobe accepts, with every packet in place', async () => {
    const path = join(dir.dir, 'written.mp4');
    await writeFile(path, writeStream(bframes, 3));
    const packets = await ffprobePackets(path);
    const video = packets.filter((packet) => packet.codecType === 'video');
    const audio = packets.filter((packet) => packet.codecType === 'audio');
    expect(video.map((packet) => packet.size)).toEqual(bframes.video.map((sample) => sample.data.length));
    expect(video.map((packet) => packet.dts)).toEqual(bframes.video.map((sample) => sample.dts));
    expect(video.map((packet) => packet.pts)).toEqual(bframes.video.map((sample) => sample.dts + sample.cto));
    expect(video.map((packet) => packet.keyframe)).toEqual(bframes.video.map((sample) => sample.keyframe));
    expect(audio.map((packet) => packet.size)).toEqual(bframes.audio.map((sample) => sample.data.length));
  });

  it('writes sample entries mp4box understands', () => {
    const read = readWithMp4box(writeStream(good, 5));
    const video = read.movie.videoTracks[0]!;
    const audio = read.movie.audioTracks[0]!;
    expect(video.video).toEqual({ width: 320, height: 240 });
    expect(audio.audio).toMatchObject({ sample_rate: 48000, channel_count: 1 });
    const opus = opusSampleEntry(2, 312, 44100);
    const dOps = opus.subarray(opus.length - 11);
    expect(Array.from(dOps)).toEqual([0, 2, 0x01, 0x38, 0, 0, 0xac, 0x44, 0, 0, 0]);
  });

  it('refuses dts that go backwards or below zero with a typed error', () => {
    const [a, b] = good.video;
    const backwards: TrackRun = { trackId: 1, samples: [b!, a!] };
    expect(() => writeMediaSegment(1, [backwards])).toThrow(Fmp4WriterError);
    const negative: TrackRun = { trackId: 1, samples: [{ ...a!, dts: -1 }] };
    expect(() => writeMediaSegment(1, [negative])).toThrowError(expect.objectContaining({ code: 'bad-timestamps' }));
  });
});

function expectTracks(read: ReturnType<typeof readWithMp4box>, tracks: TrackInfo[]): void {
  expect(read.movie.tracks.map((track) => [track.id, track.type, track.timescale])).toEqual(
    tracks.map((track) => [track.id, track.kind, track.timescale]),
  );
  expect(read.movie.videoTracks[0]!.codec).toBe(tracks[0]!.codec);
  expect(read.movie.audioTracks[0]!.codec).toBe('Opus');
}

function expectSamples(actual: Sample[] | undefined, expected: MediaSample[]): void {
  expect(actual?.length).toBe(expected.length);
  actual!.forEach((sample, index) => {
    const want = expected[index]!;
    expect({ dts: sample.dts, cts: sample.cts, duration: sample.duration, sync: sample.is_sync }).toEqual({
      dts: want.dts,
      cts: want.dts + want.cto,
      duration: want.duration,
      sync: want.keyframe,
    });
    expect(Buffer.from(sample.data!).equals(Buffer.from(want.data))).toBe(true);
  });
}

/** Init segment, then fragments of `videoPerFragment` video samples with the audio that falls in the same time. */
function writeStream(source: Source, videoPerFragment: number): Uint8Array {
  const [videoTrack, audioTrack] = source.tracks as [TrackInfo, TrackInfo];
  const parts = [writeInitSegment(source.tracks)];
  let audioIndex = 0;
  for (let start = 0, sequence = 1; start < source.video.length; start += videoPerFragment, sequence++) {
    const video = source.video.slice(start, start + videoPerFragment);
    const last = start + videoPerFragment >= source.video.length;
    const end = (video.at(-1)!.dts + video.at(-1)!.duration) / videoTrack.timescale;
    const audio: MediaSample[] = [];
    while (audioIndex < source.audio.length && (last || source.audio[audioIndex]!.dts / audioTrack.timescale < end)) audio.push(source.audio[audioIndex++]!);
    parts.push(writeMediaSegment(sequence, [{ trackId: videoTrack.id, samples: video }, { trackId: audioTrack.id, samples: audio }]));
  }
  return concat(parts);
}

function sourceOf(parsed: ParsedMp4): Source {
  const video = parsed.video!;
  const audio = parsed.audio!;
  const videoEntry = video.entry as VisualSampleEntry;
  const audioEntry = audio.entry as AudioSampleEntry;
  const avcC = boxPayload(parsed.bytes, videoEntry.avcC!)!;
  const dOps = boxPayload(parsed.bytes, audioEntry.boxes!.find((box) => box.type === 'dOps')!)!;
  const channels = dOps[1]!;
  const preSkip = (dOps[2]! << 8) | dOps[3]!;
  return {
    tracks: [
      { id: 1, kind: 'video', codec: video.info.codec, timescale: video.info.timescale, width: videoEntry.width, height: videoEntry.height, sampleEntry: avc1SampleEntry(videoEntry.width, videoEntry.height, avcC) },
      { id: 2, kind: 'audio', codec: 'opus', timescale: audio.info.timescale, sampleRate: 48000, channels, sampleEntry: opusSampleEntry(channels, preSkip) },
    ],
    video: video.samples.map((sample) => mediaSample(1, sample)),
    audio: audio.samples.map((sample) => mediaSample(2, sample)),
  };
}

function mediaSample(trackId: number, sample: Sample): MediaSample {
  return { trackId, dts: sample.dts, cto: sample.cts - sample.dts, duration: sample.duration, keyframe: sample.is_sync, data: sample.data! };
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
