import { copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from 'mp4box';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarServer } from '../../../server/avatar-server.js';
import type { Clip } from '../../../server/clips/clip.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { DECODER_RESET_SAMPLES, opusPacketSamples } from '../../../server/playout/opus-packet.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeGoodClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { frameInfo, MseClient, parseWithMp4box, splitAtInitSegments, until, type ParsedStream } from './mse-client.js';

const VIDEO = 1;
const AUDIO = 2;
const VIDEO_RATE = 90000;
const AUDIO_RATE = 48000;
/** Odd-sized pieces: a client must not depend on frames being aligned to boxes. */
const PARSE_CHUNK_BYTES = 777;
const IDLE_SECONDS = 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const videoTicksOf = (audioTicks: number) => Math.round((audioTicks * 15) / 8);

function parseInChunks(part: Uint8Array): ParsedStream {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < part.length; offset += PARSE_CHUNK_BYTES) chunks.push(part.subarray(offset, offset + PARSE_CHUNK_BYTES));
  return parseWithMp4box(chunks);
}

function samplesOf(parsed: ParsedStream, trackId: number): Sample[] {
  const samples = parsed.samples.get(trackId);
  if (!samples?.length) throw new Error(`no samples on track ${trackId}`);
  return samples;
}

/** A sample as mp4box read it, with the decode time its fragment's tfdt gives (mp4box only honours the first). */
interface TimedSample {
  dts: number;
  duration: number;
  isSync: boolean;
}

function timed(samples: Sample[], decodeTimes: number[]): TimedSample[] {
  expect(samples).toHaveLength(decodeTimes.length);
  return samples.map((s, i) => ({ dts: decodeTimes[i]!, duration: s.duration, isSync: s.is_sync }));
}

/** How far each sample's decode time is from where the previous one ended, in ticks. */
function decodeGaps(samples: TimedSample[]): number[] {
  return samples.slice(1).map((s, i) => s.dts - (samples[i]!.dts + samples[i]!.duration));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

describe('MSE path of the reference server: fMP4 over the signaling WebSocket', () => {
  let media: MediaDir;
  let clipsDir: string;
  let idle: Clip;
  let server: AvatarServer;
  const health = async () => (await fetch(`http://127.0.0.1:${server.port}/health`)).json() as Promise<{ viewers: number; bufferedBytes: number }>;

  beforeAll(async () => {
    media = await makeMediaDir();
    clipsDir = join(media.dir, 'clips');
    await mkdir(clipsDir);
    const idlePath = await makeGoodClip(clipsDir, { name: 'idle.mp4', seconds: IDLE_SECONDS });
    idle = await loadClip(idlePath, { cacheDir: join(media.dir, 'test-cache') });
    server = await startTestAvatarServer(media.dir, { clipsDir });
  });

  afterAll(async () => {
    await server?.close();
    await media?.cleanup();
  });

  describe('3 s of a 1 s idle loop', () => {
    let client: MseClient;
    let parsed: ParsedStream;
    let video: TimedSample[];
    let audio: TimedSample[];

    beforeAll(async () => {
      client = await MseClient.connect(server.wsUrl);
      await sleep(3200);
      client.close();
      const parts = splitAtInitSegments(client.stream());
      expect(parts).toHaveLength(1);
      parsed = parseInChunks(parts[0]!);
      video = timed(samplesOf(parsed, VIDEO), client.decodeTimes(VIDEO));
      audio = timed(samplesOf(parsed, AUDIO), client.decodeTimes(AUDIO));
    });

    it('says welcome, then sends an init segment with H.264 and Opus tracks', () => {
      expect(client.received[0]).toMatchObject({ kind: 'text', message: { type: 'welcome' } });
      expect(client.texts('error')).toEqual([]);
      expect(parsed.error).toBeUndefined();
      const [v, a] = [parsed.tracks.find((t) => t.id === VIDEO), parsed.tracks.find((t) => t.id === AUDIO)];
      expect(v).toMatchObject({ codec: expect.stringMatching(/^avc1\./), timescale: VIDEO_RATE, video: { width: 320, height: 240 } });
      expect(a).toMatchObject({ codec: 'Opus', timescale: AUDIO_RATE, audio: { sample_rate: AUDIO_RATE, channel_count: idle.audio.channels } });
    });

    it('starts on a video keyframe, with audio from that keyframe on', () => {
      const binaries = client.binaries().map((b) => frameInfo(b.bytes));
      expect(binaries[0]).toEqual({ kind: 'init' });
      expect(binaries[1]).toMatchObject({ kind: 'fragment', trackId: VIDEO, firstIsSync: true });
      expect(video[0]!.isSync).toBe(true);
      expect(audio[0]!.dts / AUDIO_RATE).toBeGreaterThanOrEqual(video[0]!.dts / VIDEO_RATE);
      expect(binaries.slice(1).every((b) => b.kind === 'fragment' && b.samples === 1)).toBe(true);
    });

    it('keeps decode times continuous across splices: audio exactly, video to the tick', () => {
      expect(video.at(-1)!.dts / VIDEO_RATE - video[0]!.dts / VIDEO_RATE).toBeGreaterThan(2.5);
      expect(decodeGaps(audio).every((gap) => gap === 0)).toBe(true);
      expect(Math.max(...decodeGaps(video).map(Math.abs))).toBeLessThanOrEqual(2);
    });

    it('splices where the timeline does: each clip’s audio starts on its boundary, its video a pre-skip later', () => {
      // Every packet plays whole (the last one too, which the MP4 cuts short), then the next clip's 10 ms reset packet.
      const clipTicks = idle.audioSamples.reduce((sum, s) => sum + opusPacketSamples(s.data)!, 0) + DECODER_RESET_SAMPLES;
      const first = Math.floor(audio[0]!.dts / clipTicks) + 1;
      const last = Math.floor(audio.at(-1)!.dts / clipTicks);
      expect(last - first + 1).toBeGreaterThanOrEqual(2);
      for (let k = first; k <= last; k++) {
        const start = k * clipTicks;
        expect(audio.some((s) => s.dts === start - DECODER_RESET_SAMPLES && s.duration === DECODER_RESET_SAMPLES)).toBe(true);
        expect(audio.some((s) => s.dts === start)).toBe(true);
        const index = video.findIndex((s) => Math.abs(s.dts - videoTicksOf(start + idle.audio.preSkip)) <= 1);
        expect(index).toBeGreaterThan(0);
        expect(video[index]!.isSync).toBe(true);
        const before = video[index - 1]!;
        expect(Math.abs(before.dts + before.duration - video[index]!.dts)).toBeLessThanOrEqual(1);
      }
    });

    it('sends clock samples about once a second that map pts to the wall clock of arrival', () => {
      const clocks = client.timedTexts('clock').map(({ at, message }) => ({ at, ...message }));
      expect(clocks.length).toBeGreaterThanOrEqual(3);
      for (const clock of clocks) expect(Math.abs(clock.at - clock.time)).toBeLessThan(25);
      clocks.slice(1).forEach((clock, i) => expect(clock.pts - clocks[i]!.pts).toBeGreaterThanOrEqual(1));
      clocks.slice(1).forEach((clock, i) => expect(clock.pts - clocks[i]!.pts).toBeLessThan(1.1));
      const firstVideo = video[0]!.dts / VIDEO_RATE;
      expect(clocks[0]!.pts).toBeCloseTo(firstVideo, 4);
    });

    it('sends the GOP on air at once, then paces fragments in real time: arrival minus pts within a few tens of ms', () => {
      const clock = client.texts('clock')[0]!;
      const fragments = client.binaries().flatMap((b) => {
        const info = frameInfo(b.bytes);
        if (info.kind !== 'fragment') return [];
        const pts = info.baseDecodeTime / (info.trackId === VIDEO ? VIDEO_RATE : AUDIO_RATE);
        return [{ at: b.at, lateness: b.at - (clock.time + (pts - clock.pts) * 1000) }];
      });
      // The burst: fragments already on air when the client came, up to one GOP (0.5 s) old, all at once.
      const live = fragments.findIndex((f) => f.lateness < 40);
      expect(live).toBeGreaterThanOrEqual(0);
      for (const burst of fragments.slice(0, live)) {
        expect(burst.lateness).toBeLessThan(500 + 40);
        expect(burst.at - fragments[0]!.at).toBeLessThan(50);
      }
      const lateness = fragments.slice(live).map((f) => f.lateness);
      expect(lateness.length).toBeGreaterThan(150);
      expect(Math.min(...lateness)).toBeGreaterThan(-2);
      expect(percentile(lateness, 0.95) - Math.min(...lateness)).toBeLessThan(40);
    });
  });

  it('answers what an MSE session cannot use with errors, and keeps streaming', async () => {
    const client = await MseClient.connect(server.wsUrl);
    await client.waitFor(() => client.binaries().length >= 5, 'the first fragments');
    client.send(Uint8Array.of(0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65));
    client.send({ type: 'answer', sdp: 'v=0\r\n' });
    client.send({ type: 'candidate', candidate: null });
    client.send({ type: 'hello', transport: 'mse' });
    client.send({ type: 'keyframe' });
    client.send({ type: 'ping', id: 3, t0: 1 });
    await client.waitFor(() => client.texts('pong').length === 1, 'pong');
    expect(client.texts('error').map((e) => [e.code, e.fatal])).toEqual([
      ['bad-message', false],
      ['out-of-order', false],
      ['out-of-order', false],
      ['out-of-order', false],
    ]);
    const count = client.binaries().length;
    await client.waitFor(() => client.binaries().length > count + 10, 'more fragments');
    client.close();
  });

  it('refuses an unknown transport without streaming, and then accepts mse on the same socket', async () => {
    const client = await MseClient.connect(server.wsUrl, { type: 'hello', transport: 'hls' });
    await client.waitFor(() => client.texts('error').length === 1, 'an error');
    expect(client.texts('error')[0]).toMatchObject({ code: 'unsupported-transport', fatal: false });
    await sleep(200);
    expect(client.binaries()).toHaveLength(0);
    client.send({ type: 'hello', transport: 'mse' });
    await client.waitFor(() => client.binaries().length >= 2, 'media after a good hello');
    client.close();
  });

  it('counts an MSE viewer in /health and forgets it when its socket closes', async () => {
    await until(async () => (await health()).viewers === 0, 'no viewers');
    const client = await MseClient.connect(server.wsUrl);
    await client.waitFor(() => client.binaries().length >= 2, 'media');
    expect((await health()).viewers).toBe(1);
    client.close();
    await client.closed;
    await until(async () => (await health()).viewers === 0, 'no viewers again');
    expect((await health()).bufferedBytes).toBe(0);
  });

  // Last: it changes what the playout plays.
  it('sends a new init segment when the configuration changes, and the timeline goes on through it', async () => {
    const client = await MseClient.connect(server.wsUrl);
    await client.waitFor(() => client.binaries().length >= 10, 'the first fragments');
    const small = await makeGoodClip(media.dir, { name: 'small.mp4', seconds: 1, width: 160, height: 120 });
    await copyFile(small, join(clipsDir, '.small.mp4.part'));
    await rename(join(clipsDir, '.small.mp4.part'), join(clipsDir, 'small.mp4'));
    const inits = () => client.binaries().filter((b) => frameInfo(b.bytes).kind === 'init').length;
    await client.waitFor(() => inits() >= 3, 'idle → small → idle', 20_000);
    await sleep(300);
    client.close();

    const parts = splitAtInitSegments(client.stream()).map(parseInChunks);
    expect(parts.slice(0, 3).map((p) => p.tracks.find((t) => t.id === VIDEO)?.video)).toEqual([
      { width: 320, height: 240 },
      { width: 160, height: 120 },
      { width: 320, height: 240 },
    ]);
    for (const part of parts) {
      expect(part.error).toBeUndefined();
      expect(samplesOf(part, VIDEO)[0]!.is_sync).toBe(true);
    }
    const video = timed(parts.flatMap((p) => samplesOf(p, VIDEO)), client.decodeTimes(VIDEO));
    const audio = timed(parts.flatMap((p) => samplesOf(p, AUDIO)), client.decodeTimes(AUDIO));
    expect(decodeGaps(audio).every((gap) => gap === 0)).toBe(true);
    expect(Math.max(...decodeGaps(video).map(Math.abs))).toBeLessThanOrEqual(2);
  });
});
