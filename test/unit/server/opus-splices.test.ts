import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../../server/clips/clip.js';
import { runFfmpeg } from '../../../server/clips/ffmpeg.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { MseFragmenter } from '../../../server/outputs/mse/mse-fragmenter.js';
import { mseTracksOf } from '../../../server/outputs/mse/mse-tracks.js';
import { RtpTrack } from '../../../server/outputs/webrtc/rtp-track.js';
import { ClipQueue } from '../../../server/playout/clip-queue.js';
import { DECODER_RESET_SAMPLES, opusModeOf, opusPacketSamples } from '../../../server/playout/opus-packet.js';
import { Timeline, type TimelineAudioSample, type TimelineSample } from '../../../server/playout/timeline.js';
import { writeInitSegment, writeMediaSegment } from '../../../workers/fmp4/index.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { boxesOf, frameInfo } from './mse-client.js';

const RATE = 48000;
const BEEP_SECONDS = 0.02;
const STREAM_SECONDS = 9;
const ticks = (seconds: number) => Math.round(seconds * RATE);

/** A beep clip as the sync bench makes them: a 20 ms 1 kHz beep at 0 and every second, silence otherwise. */
async function makeBeepClip(dir: string, name: string, seconds: number, frameMs: number): Promise<string> {
  const output = join(dir, name);
  const beep = `if(lt(mod(t,1),${BEEP_SECONDS}),0.5*sin(2*PI*1000*t),0)`;
  await runFfmpeg(
    [
      '-y', '-f', 'lavfi', '-i', `color=c=gray:s=160x96:r=25:d=${seconds}`,
      '-f', 'lavfi', '-i', `aevalsrc=exprs='${beep}':s=48000:d=${seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-bf', '0', '-g', '12', '-pix_fmt', 'yuv420p',
      '-c:a', 'libopus', '-ac', '1', '-b:a', '64k', '-frame_duration', String(frameMs),
      '-threads', '1', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-movflags', '+faststart', output,
    ],
    { timeoutMs: 30_000 },
  );
  return output;
}

function audioOf(samples: TimelineSample[]): TimelineAudioSample[] {
  return samples.filter((s): s is TimelineAudioSample => s.kind === 'audio');
}

/** Where each clip's own audio (clip time 0 of its sound) starts, by clip sequence. */
function clipAudioStarts(samples: TimelineSample[]): Map<number, number> {
  const starts = new Map<number, number>();
  for (const s of audioOf(samples)) if (s.index === 0) starts.set(s.clipSequence, ticks(s.pts));
  return starts;
}

/** Sample durations of a one-track fragment as written (trun: data offset, then duration, size, flags, cto per sample). */
function trunDurations(fragment: Uint8Array): number[] {
  const traf = boxesOf(boxesOf(fragment).find((b) => b.type === 'moof')!.body).find((b) => b.type === 'traf')!;
  const trun = boxesOf(traf.body).find((b) => b.type === 'trun')!.body;
  const view = new DataView(trun.buffer, trun.byteOffset, trun.byteLength);
  return Array.from({ length: view.getUint32(4) }, (_, i) => view.getUint32(12 + i * 16));
}

function mdatOf(fragment: Uint8Array): Uint8Array {
  return boxesOf(fragment).find((b) => b.type === 'mdat')!.body;
}

describe('Opus across clip splices (real ffmpeg-made beep clips)', () => {
  let media: MediaDir;
  let clips: Clip[];
  let samples: TimelineSample[];

  beforeAll(async () => {
    media = await makeMediaDir('opus-splices-');
    const paths = [await makeBeepClip(media.dir, 'a.mp4', 1.2, 20), await makeBeepClip(media.dir, 'b.mp4', 1.0, 60)];
    clips = await Promise.all(paths.map((path) => loadClip(path, { cacheDir: join(media.dir, 'cache') })));
    const timeline = new Timeline(new ClipQueue({ idle: clips[0]!, rotation: [clips[1]!] }));
    samples = [];
    while (timeline.position < STREAM_SECONDS) samples.push(timeline.next());
  }, 60_000);

  afterAll(() => media?.cleanup());

  it('counts the sound each packet decodes to from its TOC: the MP4 cuts the last packet short, the decoder does not', () => {
    for (const clip of clips) {
      const packets = clip.audioSamples;
      const decoded = packets.map((p) => opusPacketSamples(p.data));
      packets.slice(0, -1).forEach((p, i) => expect(decoded[i]).toBe(ticks(p.duration)));
      expect(decoded.at(-1)).toBe(decoded[0]);
      expect(ticks(packets.at(-1)!.duration)).toBeLessThan(decoded.at(-1)!);
    }
    expect(opusPacketSamples(clips[1]!.audioSamples[0]!.data)).toBe(2880); // 60 ms frames
    expect(opusPacketSamples(new Uint8Array())).toBeUndefined();
    expect(opusPacketSamples(Uint8Array.of(0xfb))).toBeUndefined(); // code 3 without its frame count
    expect(opusPacketSamples(Uint8Array.of(0xfb, 0x00))).toBeUndefined(); // code 3 with no frames
    expect(opusPacketSamples(Uint8Array.of(0x1b, 0x03))).toBeUndefined(); // 3 × 60 ms: over 120 ms
  });

  it('starts each packet where the previous one, as decoded, ended: no gap and no overlap at any splice', () => {
    const audio = audioOf(samples);
    expect(new Set(audio.map((s) => s.clipSequence)).size).toBeGreaterThanOrEqual(6);
    audio.slice(1).forEach((s, i) => {
      const previous = audio[i]!;
      expect(ticks(s.pts) - ticks(previous.pts)).toBe(opusPacketSamples(previous.data));
      expect(ticks(previous.duration)).toBe(opusPacketSamples(previous.data));
    });
  });

  it('opens every clip after the first with a 10 ms decoder-reset packet of another Opus mode than its first packet', () => {
    const audio = audioOf(samples);
    const resets = audio.filter((s) => s.index === -1);
    expect(resets.map((s) => s.clipSequence)).toEqual([...new Set(audio.map((s) => s.clipSequence))].slice(1));
    for (const reset of resets) {
      const first = audio.find((s) => s.clipSequence === reset.clipSequence && s.index === 0)!;
      expect(ticks(first.pts) - ticks(reset.pts)).toBe(DECODER_RESET_SAMPLES);
      expect(opusPacketSamples(reset.data)).toBe(DECODER_RESET_SAMPLES);
      expect(opusModeOf(reset.data)).not.toBe(opusModeOf(first.data));
    }
  });

  it('shows each clip’s first frame a pre-skip after its own audio, and holds the last frame over the reset packet', () => {
    const starts = clipAudioStarts(samples);
    const video = samples.filter((s) => s.kind === 'video');
    for (const [sequence, start] of starts) {
      const first = video.find((s) => s.clipSequence === sequence)!;
      expect(ticks(first.pts)).toBe(start + first.clip.audio.preSkip);
    }
    video.slice(1).forEach((s, i) => expect(ticks(s.pts)).toBe(ticks(video[i]!.pts) + ticks(video[i]!.duration)));
  });

  it('lets one continuous decoder (a receiver’s) play each clip’s first beep on time and at full level', async () => {
    const track = mseTracksOf(clips[0]!).find((t) => t.kind === 'audio')!;
    const parts = [writeInitSegment([track])];
    for (const [i, s] of audioOf(samples).entries()) {
      const sample = { trackId: track.id, dts: ticks(s.pts), cto: 0, duration: ticks(s.duration), keyframe: true, data: s.data };
      parts.push(writeMediaSegment(i + 1, [{ trackId: track.id, samples: [sample] }]));
    }
    const stream = join(media.dir, 'stream.mp4');
    const pcmFile = join(media.dir, 'stream.f32');
    await writeFile(stream, Buffer.concat(parts));
    await runFfmpeg(['-y', '-c:a', 'libopus', '-i', stream, '-f', 'f32le', '-ac', '1', '-ar', '48000', pcmFile], { timeoutMs: 30_000 });
    const bytes = await readFile(pcmFile);
    const pcm = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const streamStart = ticks(audioOf(samples)[0]!.pts);
    const checked = [...clipAudioStarts(samples)].filter(([sequence]) => sequence > 0);
    expect(checked.length).toBeGreaterThanOrEqual(5);
    for (const [sequence, start] of checked) {
      const preSkip = clips[0]!.audio.preSkip;
      const beep = start + preSkip - streamStart; // the clip's time 0, where its first frame shows
      const window = pcm.subarray(beep, beep + ticks(BEEP_SECONDS));
      const onset = window.findIndex((x) => Math.abs(x) > 0.1);
      const peak = Math.max(...Array.from(window, Math.abs));
      expect({ sequence, onsetMs: (onset / RATE) * 1000 }).toEqual({ sequence, onsetMs: expect.closeTo(0, 0) });
      expect(peak).toBeGreaterThan(0.4);
      const before = pcm.subarray(beep - preSkip - DECODER_RESET_SAMPLES, beep - ticks(0.002));
      expect(Math.max(...Array.from(before, Math.abs))).toBeLessThan(0.05);
    }
  }, 30_000);

  it('writes the MSE byte stream with the same audio: each fragment’s tfdt is where the previous packet’s sound ended', () => {
    const fragmenter = new MseFragmenter();
    const audio = audioOf(samples).map((s) => fragmenter.fragmentOf(s));
    const infos = audio.map((f) => frameInfo(f));
    infos.slice(1).forEach((info, i) => {
      const previous = infos[i]!;
      if (info.kind !== 'fragment' || previous.kind !== 'fragment') throw new Error('not a fragment');
      const decoded = opusPacketSamples(mdatOf(audio[i]!))!;
      expect(trunDurations(audio[i]!)).toEqual([decoded]);
      expect(info.baseDecodeTime - previous.baseDecodeTime).toBe(decoded);
    });
  });

  it('stamps RTP audio the same way: each packet’s timestamp is where the previous packet’s sound ended', () => {
    const packets: RtpPacket[] = [];
    const rtp = new RtpTrack((packet) => packets.push(packet), RATE, 0);
    for (const s of audioOf(samples)) rtp.send([s.data], s.pts, false);
    packets.slice(1).forEach((packet, i) => {
      const step = (packet.header.timestamp - packets[i]!.header.timestamp) >>> 0;
      expect(step).toBe(opusPacketSamples(new Uint8Array(packets[i]!.payload)));
    });
  });
});
