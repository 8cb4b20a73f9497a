import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarServer } from '../../../server/avatar-server.js';
import type { SendLogLine } from '../../../server/playout/send-log.js';
import type { CueMessage } from '../../../src/protocol.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeGoodClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { frameInfo, MseClient } from './mse-client.js';
import { watchOverWebRtc, type WebRtcWatcher } from './webrtc-peer.js';

const VIDEO_TRACK = 1;

/** As a lip-sync generator does it: the sidecar first, then the clip, moved in whole (the watcher acts on the .mp4). */
async function dropClip(staging: string, clipsDir: string, name: string, seconds: number, sidecar: object): Promise<void> {
  const made = await makeGoodClip(staging, { name: `${name}.mp4`, seconds, toneHz: 660 });
  await writeFile(join(clipsDir, `${name}.json`), JSON.stringify(sidecar));
  await rename(made, join(clipsDir, `${name}.mp4`));
}

const cuesOf = (client: MseClient) => client.texts('cue');
const byId = (cues: CueMessage[]) => new Map(cues.map((c) => [c.id, c]));

describe('cues delivered to every signaling session, and the send log', () => {
  let media: MediaDir;
  let staging: MediaDir;
  let server: AvatarServer;
  let early: MseClient;
  let webrtc: WebRtcWatcher;
  let late: MseClient;
  const sendLog = () => join(media.dir, 'send.log');

  beforeAll(async () => {
    media = await makeMediaDir();
    staging = await makeMediaDir();
    await makeGoodClip(media.dir, { name: 'idle.mp4', seconds: 2 });
    server = await startTestAvatarServer(media.dir, { clipsDir: media.dir, sendLog: sendLog() });
    early = await MseClient.connect(server.wsUrl);
    webrtc = await watchOverWebRtc(server.wsUrl);
    await early.waitFor(() => early.decodeTimes(VIDEO_TRACK).length > 0, 'media');
    await webrtc.client.waitFor(() => webrtc.client.texts('clock').length > 0, 'WebRTC media');
    await dropClip(staging.dir, media.dir, 'talk-1', 1.5, {
      captions: [
        { start: 0, end: 0.6, text: 'one-a' },
        { start: 0.6, end: 1.5, text: 'one-b' },
      ],
      cues: [{ at: 1.2, data: { gesture: 'wave' } }],
    });
    await dropClip(staging.dir, media.dir, 'talk-2', 1, { text: 'two' });
    // Joins during talk-1's second caption.
    await early.waitFor(() => cuesOf(early).some((c) => c.kind === 'speech-start'), 'speech-start', 15_000);
    const start = cuesOf(early).find((c) => c.kind === 'speech-start')!.pts;
    await early.waitFor(() => (early.decodeTimes(VIDEO_TRACK).at(-1) ?? 0) / 90000 > start + 0.75, 'talk-1 past its first caption', 10_000);
    late = await MseClient.connect(server.wsUrl);
    await early.waitFor(() => cuesOf(early).some((c) => c.kind === 'speech-end'), 'speech-end', 15_000);
    await late.waitFor(() => cuesOf(late).some((c) => c.kind === 'speech-end'), 'speech-end (late joiner)', 5_000);
    await webrtc.client.waitFor(() => cuesOf(webrtc.client).some((c) => c.kind === 'speech-end'), 'speech-end (WebRTC)', 5_000);
    const end = cuesOf(early).find((c) => c.kind === 'speech-end')!.pts;
    await early.waitFor(() => (early.decodeTimes(VIDEO_TRACK).at(-1) ?? 0) / 90000 > end + 0.1, 'idle after speech', 5_000);
  }, 60_000);

  afterAll(async () => {
    early?.close();
    late?.close();
    await webrtc?.close();
    await server?.close();
    await media?.cleanup();
    await staging?.cleanup();
  });

  it('speaks once across two clips back to back: one speech-start, one speech-end, on frames of the stream', () => {
    const cues = cuesOf(early);
    const starts = cues.filter((c) => c.kind === 'speech-start');
    const ends = cues.filter((c) => c.kind === 'speech-end');
    expect(starts).toHaveLength(1);
    expect(ends).toHaveLength(1);
    expect(starts[0]!.clip).toBe('talk-1.mp4');
    const frames = early.decodeTimes(VIDEO_TRACK);
    expect(frames).toContain(Math.round(starts[0]!.pts * 90000));
    expect(frames).toContain(Math.round(ends[0]!.pts * 90000));
    // talk-1 lasts 1.5 s on screen (its audio's length), talk-2 1 s; each a little more: its last Opus packet
    // plays whole (≤ 20 ms past the length) and the next clip opens with a 10 ms decoder-reset packet.
    expect(ends[0]!.pts - starts[0]!.pts).toBeGreaterThan(2.5);
    expect(ends[0]!.pts - starts[0]!.pts).toBeLessThanOrEqual(2.5 + 2 * 0.03 + 1e-9);
  });

  it('sends each cue before the media it belongs to', () => {
    for (const cue of cuesOf(early)) {
      const cueAt = early.received.findIndex((r) => r.kind === 'text' && r.message.type === 'cue' && r.message.id === cue.id);
      const frameAt = early.received.findIndex((r) => r.kind === 'binary' && videoPtsOf(r.bytes) >= cue.pts - 1e-6);
      expect(cueAt).toBeGreaterThanOrEqual(0);
      if (frameAt >= 0) expect(cueAt).toBeLessThan(frameAt);
    }
  });

  it('shifts captions and application cues to where each clip sits on the stream', () => {
    const cues = byId(cuesOf(early));
    const start = cuesOf(early).find((c) => c.kind === 'speech-start')!;
    const [stream, sequence] = start.id.split(':');
    const talk1 = `${stream}:${sequence}`;
    const talk2 = `${stream}:${Number(sequence) + 1}`;
    expect(cues.get(`${talk1}:caption:0`)).toMatchObject({ kind: 'caption', pts: start.pts, text: 'one-a', clip: 'talk-1.mp4' });
    expect(cues.get(`${talk1}:caption:0`)!.end).toBeCloseTo(start.pts + 0.6, 9);
    expect(cues.get(`${talk1}:caption:1`)!.pts).toBeCloseTo(start.pts + 0.6, 9);
    expect(cues.get(`${talk1}:app:0`)).toMatchObject({ kind: 'app', data: { gesture: 'wave' } });
    expect(cues.get(`${talk1}:app:0`)!.pts).toBeCloseTo(start.pts + 1.2, 9);
    const two = cues.get(`${talk2}:caption:0`)!;
    expect(two).toMatchObject({ text: 'two', clip: 'talk-2.mp4' });
    expect(two.pts).toBeCloseTo(start.pts + 1.5, 1);
    // A whole-clip caption lasts until the next clip (here the idle loop) is on screen.
    expect(two.end).toBeCloseTo(cuesOf(early).find((c) => c.kind === 'speech-end')!.pts, 9);
  });

  it('gives a WebRTC session the same cues, with the same ids', () => {
    const mse = byId(cuesOf(early));
    const rtc = cuesOf(webrtc.client);
    expect(rtc.map((c) => c.id)).toEqual([...mse.keys()]);
    for (const cue of rtc) expect(cue).toEqual(mse.get(cue.id));
  });

  it('gives a late joiner the cues still in effect, with their original ids and pts, right after its media starts', () => {
    const all = byId(cuesOf(early));
    const mine = cuesOf(late);
    for (const cue of mine) expect(cue).toEqual(all.get(cue.id));
    const kinds = mine.map((c) => c.text ?? c.kind);
    expect(kinds.slice(0, 3)).toEqual(['speech-start', 'one-b', 'app']);
    expect(kinds).not.toContain('one-a');
    const firstCue = late.received.findIndex((r) => r.kind === 'text' && r.message.type === 'cue');
    const firstMedia = late.received.findIndex((r) => r.kind === 'binary');
    expect(firstMedia).toBeGreaterThanOrEqual(0);
    expect(firstCue).toBeGreaterThan(firstMedia);
  });

  it('logs every video frame the playout sent, flushed on close', async () => {
    await server.close();
    const lines = (await readFile(sendLog(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as SendLogLine);
    expect(lines.length).toBeGreaterThan(50);
    expect(new Set(lines.map((l) => l.clip))).toEqual(new Set(['idle.mp4', 'talk-1.mp4', 'talk-2.mp4']));
    lines.slice(1).forEach((line, i) => {
      const previous = lines[i]!;
      expect(line.pts).toBeGreaterThan(previous.pts);
      expect(line.time).toBeGreaterThanOrEqual(previous.time);
      expect(line.frame).toBe(line.clip === previous.clip && line.frame !== 0 ? previous.frame + 1 : 0);
    });
    for (const line of lines) if (line.frame === 0) expect(line.keyframe).toBe(true);
    // Sent when due: time − pts is the wall-clock time of pts 0, give or take the playout's timer.
    const epochs = lines.map((l) => l.time - l.pts * 1000);
    expect(Math.max(...epochs) - Math.min(...epochs)).toBeLessThan(150);
    // Every frame an early viewer got is in the log.
    const logged = new Set(lines.map((l) => Math.round(l.pts * 90000)));
    for (const dts of early.decodeTimes(VIDEO_TRACK)) expect(logged.has(dts)).toBe(true);
  });
});

/** The stream time of a binary frame if it is a video fragment, else -1. */
function videoPtsOf(bytes: Uint8Array): number {
  const info = frameInfo(bytes);
  return info.kind === 'fragment' && info.trackId === VIDEO_TRACK ? info.baseDecodeTime / 90000 : -1;
}
