import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mp4StreamDemuxer } from '../../../workers/demux/mp4-stream-demuxer.js';
import { writeInitSegment, writeMediaSegment } from '../../../workers/fmp4/index.js';
import type { MediaSample, TrackInfo } from '../../../workers/media-sample.js';
import { concatBytes, demux, digest, type DemuxRun } from '../../fixtures/demux-run.js';
import { ffprobePackets, type ProbedPacket } from '../../fixtures/ffprobe-packets.js';
import { makeStream, type StreamSpec } from '../../fixtures/fmp4-media.js';
import * as media from '../../fixtures/media.js';
import { readWithMp4box } from '../../fixtures/mp4box-read.js';
import { insertAt, makeBox, topLevelBoxes } from '../../fixtures/mp4-top-level.js';

interface Made {
  bytes: Uint8Array;
  packets: ProbedPacket[];
}

const SPECS = {
  bframesAac: { name: 'bframes-aac.mp4', video: 'high-bframes', audio: 'aac' },
  opusFragDuration: { name: 'opus-frag-duration.mp4', video: 'main', audio: 'opus', fragDuration: 100_000 },
  aac44k: { name: 'aac-44k.mp4', video: 'main', audio: 'aac-44k' },
  videoOnly: { name: 'video-only.mp4', video: 'baseline', audio: 'none' },
  // without default_base_moof ffmpeg writes explicit base data offsets, counted from the start of its file
  explicitBase: { name: 'explicit-base.mp4', video: 'main', audio: 'aac', movflags: 'frag_keyframe+empty_moov' },
  separateMoof: { name: 'separate-moof.mp4', video: 'main', audio: 'opus', movflags: 'frag_keyframe+empty_moov+default_base_moof+separate_moof' },
  small: { name: 'small.mp4', video: 'main', audio: 'aac', width: 160, height: 120, seconds: 1 },
  faststartOpus: { name: 'faststart-opus.mp4', video: 'main', audio: 'opus', layout: 'faststart' },
  faststartBframes: { name: 'faststart-bframes.mp4', video: 'high-bframes', audio: 'aac', layout: 'faststart' },
  moovAtEnd: { name: 'moov-at-end.mp4', video: 'main', audio: 'opus', layout: 'moov-at-end', seconds: 1 },
} satisfies Record<string, StreamSpec>;
type Name = keyof typeof SPECS;

const SINGLE_STREAMS: Name[] = ['bframesAac', 'opusFragDuration', 'aac44k', 'videoOnly', 'explicitBase', 'separateMoof', 'faststartOpus', 'faststartBframes'];

let dir: media.MediaDir;
const made = new Map<Name, Made>();

beforeAll(async () => {
  dir = await media.makeMediaDir('avatar-demux-');
  for (const [name, spec] of Object.entries(SPECS) as [Name, StreamSpec][]) {
    const path = await makeStream(dir.dir, spec);
    made.set(name, { bytes: new Uint8Array(await readFile(path)), packets: await ffprobePackets(path) });
  }
}, 120_000);

afterAll(() => dir?.cleanup());

function stream(name: Name): Made {
  return made.get(name)!;
}

describe('Mp4StreamDemuxer on ffmpeg-made streams', () => {
  it.each(SINGLE_STREAMS)('%s: every packet ffprobe sees, with its times, size and keyframe flag', (name) => {
    const { bytes, packets } = stream(name);
    const run = demux(bytes);
    expect(run.errors).toEqual([]);
    expect(run.inits).toHaveLength(1);
    for (const track of run.inits[0]!) {
      const mine = run.samples.filter((sample) => sample.trackId === track.id);
      const theirs = packets.filter((packet) => packet.codecType === track.kind);
      expect(mine.length).toBe(theirs.length);
      expect(mine.map((s) => [s.dts, s.dts + s.cto, s.data.length, s.keyframe])).toEqual(theirs.map((p) => [p.dts, p.pts, p.size, p.keyframe]));
    }
    expect(run.samples.length).toBe(packets.length);
  });

  // ffprobe's packet durations come from its codec parsers (1024 for every AAC frame, none for Opus in fMP4),
  // not from the container, so durations are checked against mp4box's reading of stts/trun instead
  it.each(SINGLE_STREAMS)('%s: the same sample bytes and durations as mp4box reads', (name) => {
    const { bytes } = stream(name);
    const run = demux(bytes);
    const reference = readWithMp4box(bytes);
    for (const track of run.inits[0]!) {
      const mine = run.samples.filter((sample) => sample.trackId === track.id);
      const theirs = reference.samples.get(track.id)!;
      expect(mine.map((s) => s.duration)).toEqual(theirs.map((s) => s.duration));
      expect(mine.every((s, i) => Buffer.from(s.data).equals(Buffer.from(theirs[i]!.data!)))).toBe(true);
    }
  });

  it('describes each track for MediaSource and the fMP4 writer', () => {
    const [video, audio] = demux(stream('bframesAac').bytes).inits[0]!;
    expect(video).toMatchObject({ id: 1, kind: 'video', timescale: 12800, width: 320, height: 240 });
    expect(video!.codec).toMatch(/^avc1\.6400/);
    expect(fourccOf(video!.sampleEntry)).toBe('avc1');
    expect(audio).toMatchObject({ id: 2, kind: 'audio', codec: 'mp4a.40.2', timescale: 48000, sampleRate: 48000 });
    expect(fourccOf(audio!.sampleEntry)).toBe('mp4a');
    const [, opus] = demux(stream('opusFragDuration').bytes).inits[0]!;
    expect(opus).toMatchObject({ kind: 'audio', codec: 'opus', sampleRate: 48000, channels: 1 });
    expect(fourccOf(opus!.sampleEntry)).toBe('Opus');
    const [, aac44] = demux(stream('aac44k').bytes).inits[0]!;
    expect(aac44).toMatchObject({ timescale: 44100, sampleRate: 44100 });
    expect(demux(stream('videoOnly').bytes).inits[0]!.map((track) => track.kind)).toEqual(['video']);
  });

  it('applies the edit list: B-frames and Opus pre-skip start at presentation time 0', () => {
    const run = demux(stream('faststartBframes').bytes);
    const video = run.samples.filter((s) => s.trackId === 1);
    expect(Math.min(...video.map((s) => s.dts + s.cto))).toBe(0);
    expect(video[0]!.dts).toBeLessThan(0);
    const opus = demux(stream('faststartOpus').bytes).samples.filter((s) => s.trackId === 2);
    expect(opus[0]!.dts).toBe(-312);
  });
});

describe('Mp4StreamDemuxer whatever the chunking', () => {
  const CHUNKINGS: [string, number[]][] = [
    ['1 byte at a time', [1]],
    ['7, 1000, 3 bytes cycling', [7, 1000, 3]],
    ['4096-byte chunks', [4096]],
  ];

  it.each(SINGLE_STREAMS)('%s: identical output fed whole, byte by byte and in odd chunks', (name) => {
    const { bytes } = stream(name);
    const whole = digest(demux(bytes));
    for (const [, sizes] of CHUNKINGS) expect(digest(demux(bytes, sizes))).toEqual(whole);
  });

  it('emits each sample as soon as its bytes have arrived', () => {
    const { bytes } = stream('bframesAac');
    const firstMdat = topLevelBoxes(bytes).find((box) => box.type === 'mdat')!;
    const beforeMdatEnds = demux(bytes.subarray(0, firstMdat.start + firstMdat.size - 1));
    const wholeFragment = demux(bytes.subarray(0, firstMdat.start + firstMdat.size));
    expect(beforeMdatEnds.samples.length).toBe(wholeFragment.samples.length - 1);
    expect(beforeMdatEnds.samples.length).toBeGreaterThan(10);
  });
});

describe('Mp4StreamDemuxer on several files back to back', () => {
  it('gives a new init for a resolution change, and every sample of both streams', () => {
    const first = stream('bframesAac');
    const second = stream('small');
    const run = demux(concatBytes([first.bytes, second.bytes]), [7, 1000, 3]);
    expect(run.errors).toEqual([]);
    expect(run.inits.map((tracks) => tracks[0]!.width)).toEqual([320, 160]);
    expect(run.events.findIndex((event) => event.type === 'init' && event.tracks[0]!.width === 160)).toBe(first.packets.length + 1);
    expect(digest(run)).toEqual([...digest(demux(first.bytes)), ...digest(demux(second.bytes))]);
  });

  it('plays a faststart clip, then fMP4 streams (one with offsets from its own start), then another clip', () => {
    const parts = [stream('faststartOpus').bytes, stream('opusFragDuration').bytes, stream('explicitBase').bytes, stream('faststartBframes').bytes];
    const run = demux(concatBytes(parts), [1000, 7, 3]);
    expect(run.errors).toEqual([]);
    expect(run.inits).toHaveLength(4);
    expect(digest(run)).toEqual(parts.flatMap((bytes) => digest(demux(bytes))));
  });

  it('skips styp, sidx, emsg, prft, free and unknown boxes between fragments', () => {
    const { bytes } = stream('bframesAac');
    const moofs = topLevelBoxes(bytes).filter((box) => box.type === 'moof');
    let spliced = bytes;
    for (const moof of [...moofs].reverse()) {
      const extras = ['styp', 'sidx', 'emsg', 'prft', 'free', 'xyz1'].map((type) => makeBox(type, new Uint8Array(20).fill(0x41)));
      spliced = insertAt(spliced, moof.start, concatBytes(extras));
    }
    expect(digest(demux(spliced, [7, 1000, 3]))).toEqual(digest(demux(bytes)));
  });
});

describe('Mp4StreamDemuxer on corrupt and unsupported input', () => {
  it('reports garbage between fragments once and loses nothing of the next fragment', () => {
    const { bytes } = stream('bframesAac');
    const third = topLevelBoxes(bytes).filter((box) => box.type === 'moof')[2]!;
    const garbage = new Uint8Array(333).map((_, i) => (i * 37 + 11) & 0xff);
    for (const sizes of [[bytes.length + garbage.length], [7, 1000, 3]]) {
      const run = demux(insertAt(bytes, third.start, garbage), sizes);
      expect(run.errors.map((error) => error.code)).toEqual(['corrupt-data']);
      expect(digest(run).filter((line) => !line.startsWith('error'))).toEqual(digest(demux(bytes)));
    }
  });

  it('reports a mangled moof header once, drops its fragment and resumes at the next video keyframe', () => {
    const { bytes } = stream('bframesAac');
    const clean = demux(bytes);
    const moofs = topLevelBoxes(bytes).filter((box) => box.type === 'moof');
    const mangled = bytes.slice();
    mangled.set([0xff, 0xff, 0xff, 0xf0], moofs[1]!.start);
    for (const sizes of [[mangled.length], [1], [7, 1000, 3]]) {
      const run = demux(mangled, sizes);
      expect(run.errors.map((error) => error.code)).toEqual(['corrupt-data']);
      expectResumesAtKeyframe(run, clean);
    }
  });

  it('reports a mangled mdat header once and resumes at the next video keyframe', () => {
    const { bytes } = stream('opusFragDuration');
    const clean = demux(bytes);
    const mdats = topLevelBoxes(bytes).filter((box) => box.type === 'mdat');
    const mangled = bytes.slice();
    mangled.set([0x00, 0x00, 0x00, 0x02], mdats[3]!.start);
    const run = demux(mangled, [7, 1000, 3]);
    expect(run.errors.map((error) => error.code)).toEqual(['corrupt-data']);
    expectResumesAtKeyframe(run, clean);
  });

  it('reports a fragment whose data offset points past its mdat, and never fills its samples with later bytes', () => {
    const { bytes } = stream('bframesAac');
    const clean = demux(bytes);
    const moofs = topLevelBoxes(bytes).filter((box) => box.type === 'moof');
    const mangled = bytes.slice();
    const trun = findInside(mangled, moofs[1]!.start, moofs[1]!.start + moofs[1]!.size, 'trun');
    const view = new DataView(mangled.buffer);
    expect(view.getUint32(trun + 8) & 0x000001).toBe(1); // the run carries a data offset
    view.setInt32(trun + 16, view.getInt32(trun + 16) + moofs[2]!.start - moofs[1]!.start); // into the next fragment's data
    for (const sizes of [[mangled.length], [7, 1000, 3]]) {
      const run = demux(mangled, sizes);
      expect(run.errors.map((error) => error.code)).toEqual(['corrupt-data']);
      expectResumesAtKeyframe(run, clean);
    }
  });

  it('reports a moof whose run claims billions of samples, without trying to read them', () => {
    const { bytes } = stream('videoOnly');
    const boxes = topLevelBoxes(bytes);
    const moof = boxes.find((box) => box.type === 'moof')!;
    const mangled = bytes.slice();
    const trun = findInside(mangled, moof.start, moof.start + moof.size, 'trun');
    new DataView(mangled.buffer).setUint32(trun + 12, 0xfffffff0);
    const started = performance.now();
    const run = demux(mangled);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(run.errors.map((error) => error.code)).toEqual(['corrupt-data']);
    expect(run.samples.length).toBeGreaterThan(0);
    expect(run.samples[0]!.keyframe).toBe(true);
  });

  it('reports a moov after the media data as unsupported, and plays the stream that follows', () => {
    const after = stream('opusFragDuration').bytes;
    const run = demux(concatBytes([stream('moovAtEnd').bytes, after]), [7, 1000, 3]);
    expect(run.errors.map((error) => error.code)).toEqual(['unsupported-media']);
    expect(run.events[0]!.type).toBe('error');
    expect(digest(run).slice(1)).toEqual(digest(demux(after)));
  });

  it('survives random bytes and any truncation without throwing, and a reset starts a clean stream', () => {
    const noise = new Uint8Array(200_000).map((_, i) => (Math.imul(i, 2654435761) >>> 13) & 0xff);
    const { bytes } = stream('bframesAac');
    const events: string[] = [];
    const demuxer = new Mp4StreamDemuxer({
      onInit: () => events.push('init'),
      onSamples: () => events.push('samples'),
      onError: (code) => events.push(code),
    });
    demuxer.push(noise);
    demuxer.push(bytes.subarray(0, 5000));
    demuxer.push(noise.subarray(0, 999));
    expect(events).toContain('corrupt-data');
    demuxer.reset();
    events.length = 0;
    demuxer.push(bytes);
    expect(events[0]).toBe('init');
    expect(events).not.toContain('corrupt-data');
  });

  it('passes on what a handler throws instead of taking it for bad input', () => {
    const failure = new Error('handler bug');
    const demuxer = new Mp4StreamDemuxer({
      onInit: () => {
        throw failure;
      },
      onSamples: () => {},
      onError: () => {},
    });
    expect(() => demuxer.push(stream('bframesAac').bytes)).toThrow(failure);
  });

  it('reports fragments that come before any init segment', () => {
    const { bytes } = stream('bframesAac');
    const firstMoof = topLevelBoxes(bytes).find((box) => box.type === 'moof')!;
    const run = demux(bytes.subarray(firstMoof.start));
    expect(run.errors.map((error) => error.code)).toEqual(['unsupported-media']);
    expect(run.samples).toEqual([]);
  });
});

describe('fMP4 writer → demuxer round trip', () => {
  it('gives back the samples written, including B-frame offsets', () => {
    const source = demux(stream('bframesAac').bytes);
    const tracks = source.inits[0]!;
    const byTrack = (id: number): MediaSample[] => source.samples.filter((sample) => sample.trackId === id);
    const written = [writeInitSegment(tracks)];
    const [video, audio] = [byTrack(1), byTrack(2)];
    for (let i = 0, sequence = 1; i < video.length; i += 5, sequence++) {
      const videoRun = video.slice(i, i + 5);
      const until = i + 5 >= video.length ? Infinity : (video[i + 5]!.dts / 12800) * 48000;
      const audioRun = audio.filter((sample) => sample.dts < until && sample.dts >= (i === 0 ? -Infinity : (video[i]!.dts / 12800) * 48000));
      written.push(writeMediaSegment(sequence, [{ trackId: 1, samples: videoRun }, { trackId: 2, samples: audioRun }]));
    }
    const back = demux(concatBytes(written), [7, 1000, 3]);
    expect(back.errors).toEqual([]);
    expect(back.inits[0]!.map(trackKey)).toEqual(tracks.map(trackKey));
    for (const id of [1, 2]) {
      expect(digest({ ...back, events: back.samples.filter((s) => s.trackId === id).map((sample) => ({ type: 'sample', sample })) })).toEqual(
        digest({ ...source, events: byTrack(id).map((sample) => ({ type: 'sample', sample })) }),
      );
    }
  });
});

/** After the error: the clean stream's samples from some video keyframe on, none dropped after that. */
function expectResumesAtKeyframe(run: DemuxRun, clean: DemuxRun): void {
  const lines = digest(run);
  const errorAt = lines.findIndex((line) => line.startsWith('error'));
  const before = lines.slice(0, errorAt);
  const after = lines.slice(errorAt + 1);
  const cleanLines = digest(clean);
  expect(cleanLines.slice(0, before.length)).toEqual(before);
  expect(after.length).toBeGreaterThan(0);
  expect(after[0]).toMatch(/^sample 1 .* K /);
  const resumeAt = cleanLines.indexOf(after[0]!);
  expect(resumeAt).toBeGreaterThan(before.length);
  expect(cleanLines.slice(resumeAt)).toEqual(after);
}

function findInside(bytes: Uint8Array, start: number, end: number, type: string): number {
  for (let at = start; at + 8 <= end; at++) {
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === type) return at;
  }
  throw new Error(`no ${type} inside`);
}

function fourccOf(box: Uint8Array): string {
  return String.fromCharCode(...box.subarray(4, 8));
}

function trackKey(track: TrackInfo): string {
  return `${track.id}/${track.kind}/${track.codec}/${track.timescale}/${track.width ?? ''}/${track.sampleRate ?? ''}`;
}
