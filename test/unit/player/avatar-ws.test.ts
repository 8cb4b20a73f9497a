import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { PlayerError } from '../../../src/events.js';
import { MAX_MESSAGE_BYTES, type HelloMessage } from '../../../src/protocol.js';
import { AvatarWsSignaling, type AvatarWsEvents } from '../../../src/signaling/avatar-ws.js';

const HELLO: HelloMessage = { v: 1, type: 'hello', transport: 'webrtc' };
const WELCOME = { v: 1, type: 'welcome', session: 's1', server: 'test', iceServers: [] };

/** Node 20 has no global WebSocket; `ws` implements the same browser API. */
const createSocket = (url: string) => new NodeWebSocket(url) as unknown as WebSocket;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(): Promise<{ url: string; connection: Promise<{ socket: ServerSocket; firstMessage: Promise<string> }> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const client of server.clients) client.terminate();
    server.close(() => resolve());
  }));
  const connection = new Promise<{ socket: ServerSocket; firstMessage: Promise<string> }>((resolve) => {
    server.once('connection', (socket) => {
      const firstMessage = new Promise<string>((got) => socket.once('message', (data) => got(String(data))));
      resolve({ socket, firstMessage });
    });
  });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws`, connection };
}

function connectedClient(url: string): AvatarWsSignaling {
  const client = new AvatarWsSignaling(url, { createSocket, connectTimeoutMs: 2_000 });
  cleanups.push(() => client.close());
  return client;
}

function next<K extends keyof AvatarWsEvents & string>(client: AvatarWsSignaling, type: K): Promise<AvatarWsEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(type, (detail) => {
      off();
      resolve(detail);
    });
  });
}

describe('AvatarWsSignaling', () => {
  it('sends hello first and dispatches typed server messages', async () => {
    const { url, connection } = await startServer();
    const client = connectedClient(url);
    await client.connect(HELLO);
    const { socket, firstMessage } = await connection;
    expect(JSON.parse(await firstMessage)).toEqual(HELLO);

    const welcome = next(client, 'welcome');
    socket.send(JSON.stringify(WELCOME));
    expect(await welcome).toEqual(WELCOME);

    const offer = next(client, 'offer');
    socket.send(JSON.stringify({ v: 1, type: 'offer', sdp: 'v=0\r\n' }));
    expect(await offer).toEqual({ sdp: 'v=0\r\n' });

    const candidate = next(client, 'candidate');
    socket.send(JSON.stringify({ v: 1, type: 'candidate', candidate: null }));
    expect(await candidate).toEqual({ candidate: null });

    const serverError = next(client, 'server-error');
    socket.send(JSON.stringify({ v: 1, type: 'error', code: 'internal', message: 'oops', fatal: false }));
    expect(await serverError).toMatchObject({ code: 'internal', fatal: false });
  });

  it('reports bad frames as protocol errors and goes on', async () => {
    const { url, connection } = await startServer();
    const client = connectedClient(url);
    const problems: string[] = [];
    client.on('protocol-error', ({ message }) => problems.push(message));
    await client.connect(HELLO);
    const { socket } = await connection;

    socket.send('{not json');
    socket.send(JSON.stringify({ v: 1, type: 'teleport' }));
    socket.send(JSON.stringify({ v: 2, type: 'welcome' }));
    socket.send(JSON.stringify({ v: 1, type: 'offer' }));
    socket.send(`"${'x'.repeat(MAX_MESSAGE_BYTES + 10)}"`);
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send('null');
    const welcome = next(client, 'welcome');
    socket.send(JSON.stringify(WELCOME));

    expect(await welcome).toEqual(WELCOME);
    expect(problems).toHaveLength(7);
  });

  it('hands binary frames of an mse session over as media, with skip messages, and clock and cue messages as events', async () => {
    const { url, connection } = await startServer();
    const client = connectedClient(url);
    const problems: string[] = [];
    client.on('protocol-error', ({ message }) => problems.push(message));
    const feed = client.mediaFeed();
    const chunks: number[][] = [];
    const clocks: { pts: number; time: number }[] = [];
    const skips: { from: number; to: number }[] = [];
    feed.onBytes((data) => chunks.push([...new Uint8Array(data)]));
    const cues: string[] = [];
    client.on('clock', ({ pts, time }) => clocks.push({ pts, time }));
    client.on('cue', ({ id }) => cues.push(id));
    const skipped = new Promise<void>((resolve) => feed.onSkip((skip) => resolve(void skips.push(skip))));
    await client.connect({ v: 1, type: 'hello', transport: 'mse' });
    const { socket } = await connection;

    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(JSON.stringify({ v: 1, type: 'clock', pts: 1.5, time: 1_700_000_000_000 }));
    socket.send(Buffer.from([4]), { binary: true });
    socket.send(JSON.stringify({ v: 1, type: 'cue', id: '1:speech-start', kind: 'speech-start', pts: 1.5 }));
    socket.send(JSON.stringify({ v: 1, type: 'skip', from: 2, to: 3.5, reason: 'slow-reader' }));
    await skipped;

    expect(chunks).toEqual([[1, 2, 3], [4]]);
    expect(clocks).toEqual([{ pts: 1.5, time: 1_700_000_000_000 }]);
    expect(cues).toEqual(['1:speech-start']);
    expect(skips).toEqual([{ from: 2, to: 3.5 }]);
    expect(problems).toEqual([]);
  });

  it('rejects with signaling-unreachable when nothing listens', async () => {
    const port = await closedPort();
    const client = connectedClient(`ws://127.0.0.1:${port}/ws`);
    const error = await client.connect(HELLO).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlayerError);
    expect(error).toMatchObject({ code: 'signaling-unreachable' });
  });

  it('gives up after the connect timeout when the server never answers the upgrade', async () => {
    const accepted: Socket[] = [];
    const silent = createServer((socket) => void accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => closeNetServer(silent));
    cleanups.push(() => accepted.forEach((socket) => socket.destroy()));
    const { port } = silent.address() as AddressInfo;
    const client = new AvatarWsSignaling(`ws://127.0.0.1:${port}/ws`, { createSocket, connectTimeoutMs: 300 });
    cleanups.push(() => client.close());
    const started = Date.now();
    const error = await client.connect(HELLO).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'signaling-unreachable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('emits closed when the server closes, and not when the client does', async () => {
    const first = await startServer();
    const client = connectedClient(first.url);
    await client.connect(HELLO);
    const closed = next(client, 'closed');
    (await first.connection).socket.close(1001, 'going away');
    expect(await closed).toEqual({ code: 1001, reason: 'going away' });

    const second = await startServer();
    const other = connectedClient(second.url);
    let closedEvents = 0;
    other.on('closed', () => closedEvents++);
    await other.connect(HELLO);
    const { socket } = await second.connection;
    const serverSaw = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    other.close();
    other.close();
    expect(await serverSaw).toBe(1000);
    expect(closedEvents).toBe(0);
    expect(other.send({ v: 1, type: 'keyframe' })).toBe(false);
  });

  it('rejects a pending connect when closed', async () => {
    const { url } = await startServer();
    const client = connectedClient(url);
    const pending = client.connect(HELLO).catch((e: unknown) => e);
    client.close();
    expect(await pending).toMatchObject({ code: 'signaling-unreachable' });
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closeNetServer(server);
  return port;
}

function closeNetServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
