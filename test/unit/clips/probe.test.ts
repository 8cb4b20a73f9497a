import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipError } from '../../../server/clips/clip-error.js';
import { planNormalisation } from '../../../server/clips/normalise.js';
import { probeClip } from '../../../server/clips/probe.js';
import * as media from '../../fixtures/media.js';

let dir: media.MediaDir;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await media.makeMediaDir();
  const d = dir.dir;
  const made = await Promise.all([
    media.makeGoodClip(d),
    media.makeBFramesClip(d),
    media.makeAacClip(d),
    media.makeVideoOnlyClip(d),
    media.makeAudioOnlyClip(d),
    media.makeMoovAtEndClip(d),
    media.makeTruncatedClip(d),
    media.makeTruncatedClip(d, { name: 'truncated-moov-at-end.mp4' }, 'moov-at-end'),
    media.makeTextFile(d),
    media.makeRandomBytesFile(d),
  ]);
  ['good', 'bframes', 'aac', 'videoOnly', 'audioOnly', 'moovAtEnd', 'truncated', 'truncatedMoovAtEnd', 'text', 'random'].forEach((key, i) => {
    files[key] = made[i]!;
  });
});

afterAll(() => dir?.cleanup());

async function codeOf(path: string): Promise<string> {
  const error: unknown = await probeClip(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClipError);
  return (error as ClipError).code;
}

describe('probeClip', () => {
  it('reports a clip that fits as it is', async () => {
    const probe = await probeClip(files.good!);
    expect(probe.video).toMatchObject({ sampleEntry: 'avc1', h264Profile: 77, width: 320, height: 240, frameCount: 50, hasBFrames: false, startsOnKeyframe: true });
    expect(probe.video.codec).toMatch(/^avc1\.4d/);
    expect(probe.video.frameRate).toBeCloseTo(25, 6);
    expect(probe.video.maxKeyframeInterval).toBeCloseTo(0.48, 6);
    expect(probe.audio).toMatchObject({ sampleEntry: 'Opus', sampleRate: 48000, channels: 1 });
    expect(probe.faststart).toBe(true);
    expect(planNormalisation(probe)).toBeUndefined();
  });

  it('sees B-frames and asks for the video to be re-encoded, keeping the Opus audio', async () => {
    const probe = await probeClip(files.bframes!);
    expect(probe.video.hasBFrames).toBe(true);
    expect(planNormalisation(probe)).toMatchObject({ video: 'encode', audio: 'copy' });
  });

  it('sees AAC audio and asks for the audio only to be converted', async () => {
    const probe = await probeClip(files.aac!);
    expect(probe.audio?.codec).toMatch(/^mp4a/);
    expect(probe.video.hasBFrames).toBe(false);
    expect(planNormalisation(probe)).toMatchObject({ video: 'copy', audio: 'encode' });
  });

  it('sees a missing audio track and asks for silence to be added', async () => {
    const probe = await probeClip(files.videoOnly!);
    expect(probe.audio).toBeUndefined();
    expect(planNormalisation(probe)).toMatchObject({ video: 'copy', audio: 'add-silence' });
  });

  it('reads a moov-at-end clip whole: it fits as it is', async () => {
    const probe = await probeClip(files.moovAtEnd!);
    expect(probe.faststart).toBe(false);
    expect(probe.video.frameCount).toBe(50);
    expect(planNormalisation(probe)).toBeUndefined();
  });

  it('rejects a file cut in half as truncated, whether its index survived or not', async () => {
    expect(await codeOf(files.truncated!)).toBe('truncated');
    expect(await codeOf(files.truncatedMoovAtEnd!)).toBe('truncated');
  });

  it('rejects text and random bytes as not-mp4, and an audio-only MP4 as no-video', async () => {
    expect(await codeOf(files.text!)).toBe('not-mp4');
    expect(await codeOf(files.random!)).toBe('not-mp4');
    expect(await codeOf(`${dir.dir}/does-not-exist.mp4`)).toBe('not-mp4');
    expect(await codeOf(files.audioOnly!)).toBe('no-video');
  });
});
