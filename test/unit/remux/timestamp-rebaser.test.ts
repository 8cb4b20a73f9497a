import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSample, TrackInfo, TrackKind } from '../../../workers/media-sample.js';
import { TimestampRebaser, type TimelineAnchor } from '../../../workers/timing/timestamp-rebaser.js';
import { makeAacClip, makeBFramesClip, makeGoodClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import {
  backToBack,
  extentOf,
  probeSampleSequence,
  renumbered,
  shifted,
  splicedUnderOneInit,
  type SampleSequence,
  type StreamEvent,
} from '../../fixtures/sample-sequences.js';

/** One sample in and out of the rebaser, with the clip it came from. */
interface Placed {
  clip: number;
  kind: TrackKind;
  timescale: number;
  input: MediaSample;
  output: MediaSample;
}

const VIDEO_TICK = 1 / 12800;
const FRAME = 0.04;
const IDS_A = { video: 1, audio: 2 };
const IDS_B = { video: 2, audio: 1 };

describe('TimestampRebaser on real ffmpeg sample sequences', () => {
  let media: MediaDir;
  let aac: SampleSequence;
  let opus: SampleSequence;
  let bframes: SampleSequence;
  let longAac: SampleSequence;

  beforeAll(async () => {
    media = await makeMediaDir('rebaser-test-');
    [aac, opus, bframes, longAac] = await Promise.all([
      makeAacClip(media.dir).then(probeSampleSequence),
      makeGoodClip(media.dir).then(probeSampleSequence),
      makeBFramesClip(media.dir).then(probeSampleSequence),
      makeAacClip(media.dir, { seconds: 5, name: 'long-aac.mp4' }).then(probeSampleSequence),
    ]);
  });

  afterAll(() => media.cleanup());

  it('starts at 0 with AAC priming before 0, keeping the priming frame ahead of the video', () => {
    const { placed } = run(backToBack([aac]), [aac]);
    expectMonotonicPerTrack(placed);
    const firstAudio = placed.find((p) => p.kind === 'audio')!;
    expect(firstAudio.input.dts).toBe(-1024);
    expect(firstAudio.output.dts).toBe(0);
    expect(placed.find((p) => p.kind === 'video')!.output.dts).toBe(Math.ceil((1024 / 48000) * 12800));
    expectOneOffsetPerClip(placed);
  });

  it('keeps decode and presentation times at or after 0 when B-frames decode before 0', () => {
    const { placed } = run(backToBack([bframes]), [bframes]);
    expect(bframes.samples[0]!.dts).toBeLessThan(0);
    for (const p of placed) {
      expect(p.output.dts).toBeGreaterThanOrEqual(0);
      expect(p.output.dts + p.output.cto).toBeGreaterThanOrEqual(0);
    }
    expectOneOffsetPerClip(placed);
  });

  it('splices files that each restart at 0 back to back: monotonic, in sync, gap-free, as long as the clips', () => {
    const clips = [aac, opus, bframes, aac, opus, bframes].map((clip, i) => renumbered(clip, i % 2 ? IDS_B : IDS_A));
    const { placed } = run(backToBack(clips), clips);
    expectMonotonicPerTrack(placed);
    expectOneOffsetPerClip(placed);
    expectEachClipRightAfterThePrevious(placed, clips);
    expectTotalLength(placed, clips);
  });

  for (const [order, audioLag] of [
    ['audio', -0.3],
    ['video', 0.3],
  ] as const) {
    it(`splices under one init when ${order}'s jump arrives first, for AAC, Opus and B-frame clips`, () => {
      for (const clip of [aac, opus, bframes]) {
        const clips = Array.from({ length: 4 }, () => renumbered(clip, IDS_A));
        const { placed } = run(splicedUnderOneInit(clips, audioLag), clips);
        expectMonotonicPerTrack(placed);
        expectStartOffByAtMostTheLead(placed.filter((p) => p.clip === 0));
        if (order === 'video') {
          expectInSyncOnceAudioJoins(placed.filter((p) => p.clip > 0), overrun(clip));
          // B-frame video starts before its audio and ends before it: the next clip's video may sit beside the
          // previous clip's audio tail, so the stream can be shorter than the clips end to end, never longer.
          expect(Math.max(...placed.map(outputEnd))).toBeLessThanOrEqual(totalLength(clips) + FRAME);
        } else {
          expectOneOffsetPerClip(placed.filter((p) => p.clip > 0));
          expectEachClipRightAfterThePrevious(placed, clips);
          expectTotalLength(placed, clips);
        }
      }
    });
  }

  it('closes a 3 s gap in both tracks, in sync', () => {
    const head = cut(longAac, -1, 1);
    const tail = cut(longAac, 4, 99);
    const { placed } = run(splicedUnderOneInit([head, tail], 0), [head, tail]);
    expectMonotonicPerTrack(placed);
    expectOneOffsetPerClip(placed);
    const headEnd = Math.max(...placed.filter((p) => p.clip === 0).map(outputEnd));
    const tailStart = Math.min(...placed.filter((p) => p.clip === 1).map(outputStart));
    expect(Math.abs(tailStart - headEnd)).toBeLessThanOrEqual(VIDEO_TICK);
  });

  describe('a 0.6 s hole in the video alone (audio goes on)', () => {
    const withVideoHole = (): SampleSequence => {
      const videoId = longAac.tracks.find((t) => t.kind === 'video')!.id;
      const holed = (s: MediaSample) => s.trackId === videoId && s.dts >= 12800 && s.dts < 12800 * 1.6;
      return { tracks: longAac.tracks, samples: longAac.samples.filter((s) => !holed(s)) };
    };

    for (const audioLag of [-0.3, 0, 0.3]) {
      const sent = audioLag === 0 ? 'in step with video' : `${Math.abs(audioLag)} s ${audioLag > 0 ? 'after' : 'before'} video`;
      it(`is kept, in sync, when audio sent ${sent} shows it is one track's`, () => {
        const clip = withVideoHole();
        const { placed } = run(splicedUnderOneInit([clip], audioLag), [clip]);
        expectMonotonicPerTrack(placed);
        expectOneOffset(settled(placed));
      });
    }

    it('is reopened once audio far behind shows it was one track’s, after video first closed it', () => {
      const clip = withVideoHole();
      const { placed } = run(splicedUnderOneInit([clip], 0.7), [clip]);
      expectMonotonicPerTrack(placed);
      const audioInHole = placed.findIndex((p) => p.kind === 'audio' && p.input.dts / p.timescale > 1.1);
      const videoAfterHole = placed.findIndex((p) => p.kind === 'video' && p.input.dts >= 12800 * 1.6);
      expect(videoAfterHole).toBeLessThan(audioInHole); // video closed the hole before audio could tell
      expectOneOffset(settled([...placed.slice(0, videoAfterHole), ...placed.slice(audioInHole)]));
    });
  });

  it('moves past a clip that overlaps the previous one by 0.1 s, in sync', () => {
    const first = renumbered(opus, IDS_A);
    const second = shifted(first, extentOf(first).end - 0.1 - extentOf(first).start);
    const { placed } = run(splicedUnderOneInit([first, second], 0), [first, second]);
    expectMonotonicPerTrack(placed);
    expectOneOffsetPerClip(placed);
    expectEachClipRightAfterThePrevious(placed, [first, second]);
  });

  it('moves the shared offset, not one track, past a rounding overlap of 1 ms', () => {
    const audioId = aac.tracks.find((t) => t.kind === 'audio')!.id;
    const overlapAt = aac.samples.findIndex((s) => s.trackId === audioId && s.dts >= 48000);
    const nudged = { tracks: aac.tracks, samples: aac.samples.map((s, i) => (i === overlapAt ? { ...s, dts: s.dts - 48 } : s)) };
    const { placed } = run(backToBack([nudged]), [nudged]);
    expectMonotonicPerTrack(placed);
    const after = placed.slice(overlapAt);
    expectOneOffset(after);
    expect(offsetOf(after[1]!) - offsetOf(placed[0]!)).toBeCloseTo(0.001, 4);
  });

  it('reports anchors that map every output time back to its source time', () => {
    const files = [aac, opus, bframes, aac].map((clip, i) => renumbered(clip, i % 2 ? IDS_B : IDS_A));
    const spliced = [bframes, bframes, bframes].map((clip) => renumbered(clip, IDS_A));
    // Under one init with a lagging track, the stream's first samples are early by design (see above).
    for (const [clips, events, firstClip] of [
      [files, backToBack(files), 0],
      [spliced, splicedUnderOneInit(spliced, -0.3), 1],
    ] as const) {
      const { placed: all, anchors } = run(events, clips);
      const placed = all.filter((p) => p.clip >= firstClip);
      expect(anchors.length).toBeGreaterThanOrEqual(clips.length);
      anchors.slice(1).forEach((a, i) => expect(a.outputTime).toBeGreaterThanOrEqual(anchors[i]!.outputTime));
      for (const p of placed) {
        const time = p.output.dts / p.timescale;
        const anchor = anchors.findLast((a) => a.outputTime <= time + 1e-9)!;
        expect(Math.abs(time - anchor.outputTime + anchor.sourceTime - p.input.dts / p.timescale)).toBeLessThanOrEqual(VIDEO_TICK);
      }
    }
  });

  it('splices 100 times without drift', () => {
    const rotation = [aac, opus, bframes];
    const clips = Array.from({ length: 101 }, (_, i) => renumbered(rotation[i % 3]!, i % 2 ? IDS_B : IDS_A));
    const { placed } = run(backToBack(clips), clips);
    expectMonotonicPerTrack(placed);
    expectOneOffsetPerClip(placed);
    expectEachClipRightAfterThePrevious(placed, clips);
    const lengthBefore = totalLength(clips.slice(0, 100));
    const last = placed.filter((p) => p.clip === 100);
    expect(Math.abs(Math.min(...last.map(outputStart)) - lengthBefore)).toBeLessThanOrEqual(VIDEO_TICK);
    expectTotalLength(placed, clips);
  });

  function run(events: StreamEvent[], clips: readonly SampleSequence[]): { placed: Placed[]; anchors: TimelineAnchor[] } {
    const clipOf = new Map<MediaSample, number>();
    clips.forEach((clip, i) => clip.samples.forEach((s) => clipOf.set(s, i)));
    const anchors: TimelineAnchor[] = [];
    const rebaser = new TimestampRebaser({ onAnchor: (a) => anchors.push(a) });
    let tracks = new Map<number, TrackInfo>();
    const placed: Placed[] = [];
    for (const event of events) {
      if (event.type === 'init') {
        tracks = new Map(event.tracks.map((t) => [t.id, t]));
        rebaser.setTracks(event.tracks);
        continue;
      }
      const track = tracks.get(event.sample.trackId)!;
      const output = rebaser.rebase(event.sample);
      if (!output) throw new Error(`sample of track ${event.sample.trackId} not placed`);
      placed.push({ clip: clipOf.get(event.sample)!, kind: track.kind, timescale: track.timescale, input: event.sample, output });
    }
    return { placed, anchors };
  }
});

function cut(sequence: SampleSequence, fromSeconds: number, toSeconds: number): SampleSequence {
  const timescales = new Map(sequence.tracks.map((t) => [t.id, t.timescale]));
  const inside = (s: MediaSample) => s.dts / timescales.get(s.trackId)! >= fromSeconds && s.dts / timescales.get(s.trackId)! < toSeconds;
  return { tracks: sequence.tracks, samples: sequence.samples.filter(inside).map((s) => ({ ...s })) };
}

function offsetOf(p: Placed): number {
  return (p.output.dts - p.input.dts) / p.timescale;
}

function outputStart(p: Placed): number {
  return p.output.dts / p.timescale;
}

function outputEnd(p: Placed): number {
  return (p.output.dts + p.output.duration) / p.timescale;
}

function expectMonotonicPerTrack(placed: readonly Placed[]): void {
  for (const kind of ['video', 'audio'] as const) {
    const track = placed.filter((p) => p.kind === kind);
    expect(track.length).toBeGreaterThan(0);
    track.slice(1).forEach((p, i) => expect(p.output.dts).toBeGreaterThanOrEqual(track[i]!.output.dts + track[i]!.output.duration));
    expect(track[0]!.output.dts).toBeGreaterThanOrEqual(0);
  }
}

/** Audio and video of the samples share one offset, to within the rounding of a tick. */
function expectOneOffset(placed: readonly Placed[]): void {
  const offsets = placed.map(offsetOf);
  expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThanOrEqual(VIDEO_TICK + 1e-9);
}

function expectOneOffsetPerClip(placed: readonly Placed[]): void {
  const clips = new Set(placed.map((p) => p.clip));
  for (const clip of clips) expectOneOffset(placed.filter((p) => p.clip === clip));
}

/** How far the clip's audio runs past the end of its video (s; 0 if it does not). */
function overrun(clip: SampleSequence): number {
  const end = (kind: TrackKind) => {
    const track = clip.tracks.find((t) => t.kind === kind)!;
    return Math.max(...clip.samples.filter((s) => s.trackId === track.id).map((s) => (s.dts + s.duration) / track.timescale));
  };
  return Math.max(0, end('audio') - end('video'));
}

/**
 * Video sent first at a splice is placed while the previous clip's audio is still arriving; when that audio
 * runs longer than its video (Opus here: 13.5 ms), the new clip's audio cannot start where the video's
 * placement expected, and the shared offset moves forward by the difference. The video frames placed before
 * that are early by at most the overrun; everything from the audio's first sample on is exact.
 */
function expectInSyncOnceAudioJoins(placed: readonly Placed[], overrunSeconds: number): void {
  for (const clip of new Set(placed.map((p) => p.clip))) {
    const inClip = placed.filter((p) => p.clip === clip);
    const settled = inClip.slice(inClip.findIndex((p) => p.kind === 'audio'));
    expectOneOffset(settled);
    for (const p of inClip) expect(offsetOf(settled[0]!) - offsetOf(p)).toBeLessThanOrEqual(overrunSeconds + VIDEO_TICK);
  }
}

/**
 * The stream's first samples, sent with one track lagging: the track sent first was placed before the other
 * showed that it starts earlier (nothing to predict from yet), then the shared offset moved forward.
 */
function expectStartOffByAtMostTheLead(placed: readonly Placed[]): void {
  const firstOf = (kind: TrackKind) => placed.find((p) => p.kind === kind)!;
  const lead = Math.abs(firstOf('video').input.dts / firstOf('video').timescale - firstOf('audio').input.dts / firstOf('audio').timescale);
  const offsets = placed.map(offsetOf);
  expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThanOrEqual(lead + VIDEO_TICK);
  expectOneOffset(settled(placed));
}

/** From the second track's first sample on: the stream's very start aside (see expectStartOffByAtMostTheLead). */
function settled(placed: readonly Placed[]): readonly Placed[] {
  return placed.slice(placed.findIndex((p) => p.kind !== placed[0]!.kind));
}

function expectEachClipRightAfterThePrevious(placed: readonly Placed[], clips: readonly SampleSequence[]): void {
  for (let clip = 1; clip < clips.length; clip++) {
    const previousEnd = Math.max(...placed.filter((p) => p.clip === clip - 1).map(outputEnd));
    const start = Math.min(...placed.filter((p) => p.clip === clip).map(outputStart));
    expect(Math.abs(start - previousEnd)).toBeLessThanOrEqual(VIDEO_TICK);
  }
}

function totalLength(clips: readonly SampleSequence[]): number {
  return clips.reduce((total, clip) => total + extentOf(clip).end - extentOf(clip).start, 0);
}

function expectTotalLength(placed: readonly Placed[], clips: readonly SampleSequence[]): void {
  expect(Math.abs(Math.max(...placed.map(outputEnd)) - totalLength(clips))).toBeLessThanOrEqual(FRAME);
}
