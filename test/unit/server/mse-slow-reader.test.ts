import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarServer } from '../../../server/avatar-server.js';
import { runFfmpeg } from '../../../server/clips/ffmpeg.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { frameInfo, MseClient, until } from './mse-client.js';

const MAX_BUFFERED_BYTES = 256 * 1024;
const VIDEO = 1;
const VIDEO_RATE = 90000;

/**
 * Near-lossless noise: ≈ 4 MB/s, so that a reader that stops reading fills loopback's socket buffers (≈ 4 MB
 * here) within a second or two and the server's own queue is what grows next.
 */
async function makeNoiseClip(dir: string): Promise<string> {
  const output = join(dir, 'idle.mp4');
  const noise = "nullsrc=s=320x240:r=25:d=2,geq=lum='random(1)*255':cb='random(2)*255':cr='random(3)*255'";
  await runFfmpeg(
    [
      '-f', 'lavfi', '-i', noise,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main', '-bf', '0', '-g', '12', '-keyint_min', '12',
      '-sc_threshold', '0', '-qp', '4', '-pix_fmt', 'yuv420p',
      '-c:a', 'libopus', '-ar', '48000', '-b:a', '48k',
      '-threads', '1', '-movflags', '+faststart', output,
    ],
    { timeoutMs: 30_000 },
  );
  return output;
}

describe('MSE path: a client that stops reading', () => {
  let media: MediaDir;
  let server: AvatarServer;
  const bufferedBytes = async () => ((await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as { bufferedBytes: number }).bufferedBytes;

  beforeAll(async () => {
    media = await makeMediaDir();
    const clipsDir = join(media.dir, 'clips');
    await mkdir(clipsDir);
    await makeNoiseClip(clipsDir);
    server = await startTestAvatarServer(media.dir, { clipsDir, mse: { maxBufferedBytes: MAX_BUFFERED_BYTES } });
  });

  afterAll(async () => {
    await server?.close();
    await media?.cleanup();
  });

  it('keeps the server’s queue bounded, then skips to a keyframe and says so', async () => {
    const client = await MseClient.connect(server.wsUrl);
    await client.waitFor(() => client.binaries().length >= 5, 'the first fragments');
    client.pause();
    await until(async () => (await bufferedBytes()) > 0, 'the socket buffers to fill', 15_000);

    let most = 0;
    for (const deadline = Date.now() + 1500; Date.now() < deadline; ) {
      most = Math.max(most, await bufferedBytes());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Without a bound, 1.5 s of this stream would queue ≈ 6 MB; with it, at most one fragment past the bound.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2 * MAX_BUFFERED_BYTES);

    client.resume();
    await client.waitFor(() => client.texts('skip').length === 1, 'a skip message');
    const skipAt = client.received.findIndex((r) => r.kind === 'text' && r.message.type === 'skip');
    await client.waitFor(() => client.received.length > skipAt + 30, 'media after the skip');
    client.close();

    const skip = client.texts('skip')[0]!;
    expect(skip.reason).toBe('slow-reader');
    expect(skip.to - skip.from).toBeGreaterThan(1); // at least the 1.5 s the client did not read
    const framesBefore = client.received.slice(0, skipAt).flatMap((r) => (r.kind === 'binary' ? [frameInfo(r.bytes)] : []));
    const framesAfter = client.received.slice(skipAt + 1).flatMap((r) => (r.kind === 'binary' ? [frameInfo(r.bytes)] : []));
    const fragmentTime = (f: ReturnType<typeof frameInfo>) => (f.kind === 'fragment' ? f.baseDecodeTime / (f.trackId === VIDEO ? VIDEO_RATE : 48000) : -1);
    expect(Math.max(...framesBefore.map(fragmentTime))).toBeLessThan(skip.from);
    const firstAfter = framesAfter.find((f) => f.kind === 'fragment');
    expect(firstAfter).toMatchObject({ kind: 'fragment', trackId: VIDEO, firstIsSync: true });
    expect(Math.abs(fragmentTime(firstAfter!) - skip.to)).toBeLessThan(1 / VIDEO_RATE);
    expect(framesAfter.every((f) => f.kind !== 'init')).toBe(true); // same configuration: no new init segment
    expect(client.texts('error')).toEqual([]);
  });
});
