import { describe, expect, it } from 'vitest';
import type { Clip } from '../../../server/clips/clip.js';
import { ClipQueue } from '../../../server/playout/clip-queue.js';
import { Timeline, type TimelineSample } from '../../../server/playout/timeline.js';

interface ClipShape {
  name: string;
  fps: number;
  videoSeconds: number;
  audioSeconds: number;
  gopFrames: number;
}

/** Sample tables shaped like real clips: a video frame grid and 20 ms Opus frames of a different total length. */
function clipOf({ name, fps, videoSeconds, audioSeconds, gopFrames }: ClipShape): Clip {
  const frames = Math.round(videoSeconds * fps);
  const packets = Math.round(audioSeconds / 0.02);
  return {
    name,
    path: `/clips/${name}.mp4`,
    video: { codec: 'avc1.42c01f', width: 320, height: 240, sps: [], pps: [], avcC: new Uint8Array() },
    audio: { codec: 'opus', sampleRate: 48000, channels: 1, preSkip: 312 },
    videoSamples: Array.from({ length: frames }, (_, i) => ({ data: Uint8Array.of(i), time: i / fps, duration: 1 / fps, keyframe: i % gopFrames === 0 })),
    // A real Opus TOC (CELT, fullband, 20 ms): the timeline reads how long each packet decodes from it.
    audioSamples: Array.from({ length: packets }, (_, i) => ({ data: Uint8Array.of(0xf8, i % 256), time: i * 0.02, duration: 0.02 })),
    duration: packets * 0.02,
  };
}

function take(timeline: Timeline, seconds: number): TimelineSample[] {
  const samples: TimelineSample[] = [];
  while (timeline.position < seconds) samples.push(timeline.next());
  return samples;
}

function byClip(samples: TimelineSample[]): Map<number, TimelineSample[]> {
  const clips = new Map<number, TimelineSample[]>();
  for (const s of samples) clips.set(s.clipSequence, [...(clips.get(s.clipSequence) ?? []), s]);
  return clips;
}

const idle = clipOf({ name: 'idle', fps: 25, videoSeconds: 3.0, audioSeconds: 2.98, gopFrames: 12 });
const longVideo = clipOf({ name: 'long-video', fps: 30, videoSeconds: 2.5, audioSeconds: 2.2, gopFrames: 15 });
const shortVideo = clipOf({ name: 'short-video', fps: 29.97, videoSeconds: 1.6, audioSeconds: 2.0, gopFrames: 15 });

describe('playout timeline', () => {
  it('keeps audio contiguous across splices: each packet starts where the last ended', () => {
    const queue = new ClipQueue({ idle, rotation: [longVideo, shortVideo] });
    const audio = take(new Timeline(queue), 60).filter((s) => s.kind === 'audio');
    audio.slice(1).forEach((s, i) => expect(s.pts).toBeCloseTo(audio[i]!.pts + audio[i]!.duration, 9));
  });

  it('leaves video no gap: each frame lasts until the next one starts, across splices and held last frames', () => {
    const video = take(new Timeline(new ClipQueue({ idle, rotation: [longVideo, shortVideo] })), 60).filter((s) => s.kind === 'video');
    expect(new Set(video.map((s) => s.clipSequence)).size).toBeGreaterThan(10);
    // pts fall on whole 48 kHz ticks, a 29.97 fps frame grid does not: each end may round either way.
    video.slice(1).forEach((s, i) => expect(Math.abs(s.pts - (video[i]!.pts + video[i]!.duration))).toBeLessThan(1 / 48000));
  });

  it('hands out samples in presentation order with video never going backwards', () => {
    const samples = take(new Timeline(new ClipQueue({ idle, rotation: [longVideo, shortVideo] })), 60);
    samples.slice(1).forEach((s, i) => expect(s.pts).toBeGreaterThanOrEqual(samples[i]!.pts - 1e-9));
    const video = samples.filter((s) => s.kind === 'video');
    video.slice(1).forEach((s, i) => expect(s.pts).toBeGreaterThan(video[i]!.pts));
  });

  it('starts every clip with a keyframe, as late as the Opus pre-skip after its own first audio packet', () => {
    const clips = byClip(take(new Timeline(new ClipQueue({ idle, rotation: [longVideo, shortVideo] })), 60));
    expect(clips.size).toBeGreaterThan(10);
    for (const samples of clips.values()) {
      const firstVideo = samples.find((s) => s.kind === 'video');
      const firstAudio = samples.find((s) => s.kind === 'audio' && s.index === 0);
      expect(firstVideo?.kind === 'video' && firstVideo.keyframe).toBe(true);
      expect(firstVideo!.pts).toBeCloseTo(firstAudio!.pts + 312 / 48000, 9);
    }
  });

  it('cuts video that outlasts its audio, so no frame overlaps the next clip', () => {
    const clips = [...byClip(take(new Timeline(new ClipQueue({ idle, rotation: [longVideo] })), 30)).values()];
    clips.slice(0, -1).forEach((samples, i) => {
      const audio = samples.filter((s) => s.kind === 'audio');
      const end = audio.at(-1)!.pts + audio.at(-1)!.duration;
      const nextStart = clips[i + 1]![0]!.pts;
      expect(nextStart).toBeCloseTo(end, 9);
      for (const s of samples) expect(s.pts).toBeLessThan(nextStart);
    });
  });

  it('cuts the idle loop at its next keyframe once a clip is queued, and plays the clip whole', () => {
    const queue = new ClipQueue({ idle });
    const timeline = new Timeline(queue);
    const before = take(timeline, 1.1);
    queue.enqueue(longVideo);
    const after = take(timeline, 6);
    const idleVideo = [...before, ...after].filter((s) => s.kind === 'video' && s.clip === idle && s.clipSequence === 0);
    const clipSamples = after.filter((s) => s.clip === longVideo);
    const cutAt = clipSamples[0]!.pts;
    expect(cutAt).toBeLessThan(1.1 + 12 / 25 + 0.02 + 1e-9);
    expect(idleVideo.every((s) => s.pts < cutAt)).toBe(true);
    // Every packet of the clip, after the decoder-reset packet that opens it.
    expect(clipSamples.filter((s) => s.kind === 'audio').map((s) => s.index)).toEqual([-1, ...longVideo.audioSamples.keys()]);
    expect(after.at(-1)!.clip).toBe(idle);
  });

  it('leaves no gap when a clip comes right after the idle loop began with its decoder-reset packet', () => {
    const queue = new ClipQueue({ idle });
    queue.enqueue(shortVideo);
    const timeline = new Timeline(queue);
    const samples: TimelineSample[] = [];
    while (!(samples.at(-1)?.clip === idle && samples.at(-1)?.clipSequence === 1)) samples.push(timeline.next());
    queue.enqueue(longVideo);
    samples.push(...take(timeline, 6));
    // The idle loop had begun (its reset packet was out): it plays to its next keyframe, then the clip comes.
    expect(samples.filter((s) => s.clipSequence === 1 && s.kind === 'video')).toHaveLength(12);
    expect(samples.some((s) => s.clip === longVideo)).toBe(true);
    const video = samples.filter((s) => s.kind === 'video');
    video.slice(1).forEach((s, i) => expect(Math.abs(s.pts - (video[i]!.pts + video[i]!.duration))).toBeLessThan(1 / 48000));
    const audio = samples.filter((s) => s.kind === 'audio');
    audio.slice(1).forEach((s, i) => expect(s.pts).toBeCloseTo(audio[i]!.pts + audio[i]!.duration, 9));
  });

  it('plays queued clips in order before returning to idle', () => {
    const queue = new ClipQueue({ idle });
    const timeline = new Timeline(queue);
    queue.enqueue(shortVideo);
    queue.enqueue(longVideo);
    const order = [...byClip(take(timeline, 8)).values()].map((s) => s[0]!.clip.name);
    expect(order.slice(0, 3)).toEqual(['short-video', 'long-video', 'idle']);
  });
});
