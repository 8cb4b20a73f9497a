import { copyFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AvatarServer } from '../../../server/avatar-server.js';
import { CloseCode, MAX_MESSAGE_BYTES } from '../../../src/protocol.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeGoodClip, makeMediaDir, makeTextFile, type MediaDir } from '../../fixtures/media.js';

/** A signaling client that records what the server says. */
class Client {
  readonly messages: { type: string; code?: string; fatal?: boolean }[] = [];
  readonly closed: Promise<number>;
  private readonly socket: WebSocket;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(data: string | object): void {
    this.socket.send(typeof data === 'string' ? data : JSON.stringify({ v: 1, ...data }));
  }

  async waitFor(type: string, count = 1): Promise<void> {
    await until(() => this.messages.filter((m) => m.type === type).length >= count, `${count} × ${type}`);
  }

  errorCodes(): (string | undefined)[] {
    return this.messages.filter((m) => m.type === 'error').map((m) => m.code);
  }

  close(): void {
    this.socket.close();
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('reference server', () => {
  let media: MediaDir;
  let clipsDir: string;
  let server: AvatarServer;
  let healthUrl: string;
  const health = async () => (await fetch(healthUrl)).json() as Promise<{ viewers: number; nowPlaying?: string }>;

  beforeAll(async () => {
    media = await makeMediaDir();
    clipsDir = join(media.dir, 'clips');
    server = await startTestAvatarServer(media.dir, { clipsDir });
    healthUrl = `http://127.0.0.1:${server.port}/health`;
  });

  afterAll(async () => {
    await server?.close();
    await media?.cleanup();
  });

  it('answers hello with welcome and an offer whose tracks share one stream', async () => {
    const client = new Client(server.wsUrl);
    await client.opened();
    client.send({ type: 'hello', transport: 'webrtc' });
    await client.waitFor('offer');
    const offer = client.messages.find((m) => m.type === 'offer') as unknown as { sdp: string };
    const streams = [...offer.sdp.matchAll(/^a=msid:(\S+) /gm)].map((m) => m[1]);
    expect(streams).toHaveLength(2);
    expect(streams[0]).toBe(streams[1]);
    expect(offer.sdp).toContain('a=ice-lite');
    expect(client.messages[0]!.type).toBe('welcome');
    client.close();
  });

  it('answers each bad message with its error code and keeps the session and other viewers going', async () => {
    const bad = new Client(server.wsUrl);
    const good = new Client(server.wsUrl);
    await Promise.all([bad.opened(), good.opened()]);
    bad.send('{not json');
    bad.send({ type: 'dance' });
    bad.send({ type: 'answer', sdp: 'v=0\r\n' });
    bad.send({ type: 'candidate', candidate: null });
    bad.send(JSON.stringify({ v: 2, type: 'hello', transport: 'webrtc' }));
    bad.send({ type: 'hello', transport: 'carrier-pigeon' });
    await bad.waitFor('error', 6);
    expect(bad.errorCodes()).toEqual(['bad-json', 'unknown-type', 'out-of-order', 'out-of-order', 'unsupported-version', 'unsupported-transport']);
    expect(bad.messages.every((m) => m.type !== 'error' || m.fatal === false)).toBe(true);
    good.send({ type: 'hello', transport: 'webrtc' });
    bad.send({ type: 'hello', transport: 'webrtc' });
    await Promise.all([good.waitFor('offer'), bad.waitFor('offer')]);
    bad.send({ type: 'ping', id: 7, t0: 1 });
    await bad.waitFor('pong');
    bad.close();
    good.close();
  });

  it('closes a socket that sends an oversized message with 1009, and one that keeps sending garbage with 1008', async () => {
    const big = new Client(server.wsUrl);
    await big.opened();
    big.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect(await big.closed).toBe(CloseCode.tooLarge);
    const noisy = new Client(server.wsUrl);
    await noisy.opened();
    for (let i = 0; i < 25; i++) noisy.send('garbage');
    expect(await noisy.closed).toBe(CloseCode.policyViolation);
    expect(noisy.messages.filter((m) => m.type === 'error').at(-1)?.fatal).toBe(true);
  });

  it('forgets a viewer whose socket closed', async () => {
    await until(async () => (await health()).viewers === 0, 'no viewers');
    const client = new Client(server.wsUrl);
    await client.opened();
    await until(async () => (await health()).viewers === 1, 'one viewer');
    client.close();
    await until(async () => (await health()).viewers === 0, 'no viewers again');
  });

  it('plays a clip dropped into the folder while running, and skips a file that is not a clip', async () => {
    await makeTextFile(clipsDir, 'broken.mp4');
    const made = await makeGoodClip(media.dir, { name: 'hello-clip.mp4', seconds: 2 });
    const staged = join(clipsDir, '.hello-clip.mp4.part');
    await copyFile(made, staged);
    await rename(staged, join(clipsDir, 'hello-clip.mp4'));
    await until(async () => (await health()).nowPlaying === 'hello-clip.mp4', 'the dropped clip on air', 20_000);
  });
});
