import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSample, TrackInfo } from '../../../workers/media-sample.js';
import { JitterBuffer, type Fragment } from '../../../workers/timing/jitter-buffer.js';
import { TimestampRebaser } from '../../../workers/timing/timestamp-rebaser.js';
import { makeAacClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { backToBack, probeSampleSequence } from '../../fixtures/sample-sequences.js';

/** A sample of the continuous output timeline, with its media start in ms. */
interface Timed {
  sample: MediaSample;
  timescale: number;
  startMs: number;
}

const CLIPS = 20; // 2 s each: 40 s of media
const HOLD_MS = 2000;
const DECAY_MS = 5000;

describe('JitterBuffer', () => {
  let media: MediaDir;
  let stream: Timed[];
  let tracks: TrackInfo[];

  beforeAll(async () => {
    media = await makeMediaDir('jitter-test-');
    const clip = await probeSampleSequence(await makeAacClip(media.dir));
    tracks = clip.tracks;
    stream = rebasedStream(Array.from({ length: CLIPS }, () => clip));
  });

  afterAll(() => media.cleanup());

  it('stays at the minimum depth when media arrives in real time', () => {
    const { depthAt, buffer } = deliver(stream, (startMs) => startMs);
    for (let t = 1000; t < 40_000; t += 500) expect(depthAt(t)).toBe(30);
    expect(buffer.stats.stalls).toBe(0);
  });

  it('sits about one burst period behind when media arrives in bursts every 200 ms', () => {
    const { depthAt, buffer } = deliver(stream, bursts(200));
    for (let t = 2000; t < 40_000; t += 500) {
      expect(depthAt(t)).toBeGreaterThanOrEqual(190);
      expect(depthAt(t)).toBeLessThanOrEqual(250);
    }
    expect(buffer.stats.stalls).toBe(0);
  });

  it('sits further behind when the bursts are 400 ms apart', () => {
    const every200 = deliver(stream, bursts(200)).depthAt(20_000);
    const every400 = deliver(stream, bursts(400)).depthAt(20_000);
    expect(every400).toBeGreaterThanOrEqual(every200 + 180);
    expect(every400).toBeLessThanOrEqual(450);
  });

  it('grows at once when delivery turns bursty', () => {
    const { depthAt } = deliver(stream, (startMs) => (startMs < 10_000 ? startMs : bursts(400)(startMs)));
    expect(depthAt(9900)).toBe(30);
    expect(depthAt(10_400)).toBeGreaterThanOrEqual(380);
  });

  for (const [what, arrival] of [
    ['the backlog arrives at once', (startMs: number) => (startMs < 10_000 ? startMs : Math.max(startMs, 13_000))],
    ['the stream resumes 3 s late (skipped)', (startMs: number) => (startMs < 10_000 ? startMs : startMs + 3000)],
  ] as const) {
    it(`counts a 3 s stall as a stall, not as jitter, when ${what}`, () => {
      const { depthAt, buffer } = deliver(stream, arrival);
      expect(buffer.stats.stalls).toBe(1);
      for (let t = 13_000; t < 40_000; t += 250) expect(depthAt(t)).toBeLessThan(200);
      expect(depthAt(16_000)).toBe(30);
    });
  }

  it('decays with the documented hold and time constant once delivery calms down', () => {
    const { jitterAt } = deliver(stream, (startMs) => (startMs < 10_000 ? bursts(400)(startMs) : startMs));
    const peak = jitterAt(10_000);
    expect(peak).toBeGreaterThan(350);
    expect(jitterAt(10_000 + HOLD_MS - 100)).toBeCloseTo(peak, 0);
    for (const constants of [1, 2, 3]) {
      const expected = peak * Math.exp(-constants);
      expect(Math.abs(jitterAt(10_000 + HOLD_MS + constants * DECAY_MS) - expected)).toBeLessThan(0.05 * peak);
    }
  });

  it('cuts contiguous fragments of at most 100 ms, video ones at keyframes, losing and reordering nothing', () => {
    const buffer = new JitterBuffer();
    const fragments: Fragment[] = [];
    const oneClip = stream.filter((t) => t.startMs < 6000);
    oneClip.forEach((t, i) => {
      buffer.push(t.sample, t.timescale, t.startMs);
      if (i % 37 === 36) fragments.push(...buffer.drain());
    });
    fragments.push(...buffer.drain());
    const timescale = new Map(tracks.map((t) => [t.id, t.timescale]));
    for (const track of tracks) {
      const pushed = oneClip.filter((t) => t.sample.trackId === track.id).map((t) => t.sample);
      const ofTrack = fragments.filter((f) => f.trackId === track.id);
      expect(ofTrack.flatMap((f) => f.samples)).toEqual(pushed);
      expect(ofTrack.every((f) => f.samples.every((s) => s.trackId === track.id))).toBe(true);
    }
    for (const { trackId, samples } of fragments) {
      const ts = timescale.get(trackId)!;
      expect(samples.length).toBeGreaterThan(0);
      samples.slice(1).forEach((s, i) => expect(s.dts).toBe(samples[i]!.dts + samples[i]!.duration));
      const span = (samples.at(-1)!.dts + samples.at(-1)!.duration - samples[0]!.dts) / ts;
      expect(samples.length === 1 || span <= 0.1 + 1e-9).toBe(true);
    }
    const videoId = tracks.find((t) => t.kind === 'video')!.id;
    for (const { samples } of fragments.filter((f) => f.trackId === videoId)) expect(samples.slice(1).some((s) => s.keyframe)).toBe(false);
  });

  it('makes runs as long as the limit allows', () => {
    const buffer = new JitterBuffer();
    const oneClip = stream.filter((t) => t.startMs < 6000);
    for (const t of oneClip) buffer.push(t.sample, t.timescale, t.startMs);
    const fragments = buffer.drain();
    for (const track of tracks) {
      const ofTrack = fragments.filter((f) => f.trackId === track.id);
      ofTrack.slice(1).forEach(({ samples }, i) => {
        const previous = ofTrack[i]!.samples;
        const span = (samples[0]!.dts + samples[0]!.duration - previous[0]!.dts) / track.timescale;
        expect(span > 0.1 || (track.kind === 'video' && samples[0]!.keyframe)).toBe(true);
      });
    }
  });
});

/** Media in bursts: everything that starts within a period arrives together at its end. */
function bursts(periodMs: number): (startMs: number) => number {
  return (startMs) => (Math.floor(startMs / periodMs) + 1) * periodMs;
}

/** Pushes the stream in arrival order and records depth and jitter after each arrival. */
function deliver(stream: readonly Timed[], arrivalOf: (startMs: number) => number) {
  const buffer = new JitterBuffer({ holdMs: HOLD_MS, decayMs: DECAY_MS });
  const arrivals = stream.map((t, index) => ({ t, index, at: arrivalOf(t.startMs) })).sort((a, b) => a.at - b.at || a.index - b.index);
  const history: { at: number; depthMs: number; jitterMs: number }[] = [];
  for (const { t, at } of arrivals) {
    buffer.push(t.sample, t.timescale, at);
    history.push({ at, ...buffer.stats });
    if (history.length % 50 === 0) buffer.drain();
  }
  const at = (ms: number) => history.findLast((h) => h.at <= ms) ?? history[0]!;
  return { buffer, depthAt: (ms: number) => at(ms).depthMs, jitterAt: (ms: number) => at(ms).jitterMs };
}

/** The clips one after another on the output timeline, as the rebaser puts them. */
function rebasedStream(clips: readonly { tracks: TrackInfo[]; samples: MediaSample[] }[]): Timed[] {
  const rebaser = new TimestampRebaser();
  const timed: Timed[] = [];
  let timescales = new Map<number, number>();
  for (const event of backToBack(clips)) {
    if (event.type === 'init') {
      rebaser.setTracks(event.tracks);
      timescales = new Map(event.tracks.map((t) => [t.id, t.timescale]));
      continue;
    }
    const sample = rebaser.rebase(event.sample)!;
    const timescale = timescales.get(sample.trackId)!;
    timed.push({ sample, timescale, startMs: (sample.dts / timescale) * 1000 });
  }
  return timed;
}
