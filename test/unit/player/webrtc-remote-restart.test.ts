// RemoteOfferNegotiation.restartIce over the real avatar WebSocket client and a real WebSocket server
// that plays the avatar server's part: the restart is refused by an `error` answer or by silence,
// instead of hanging.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { PlayerError } from '../../../src/events.js';
import { AvatarWsSignaling } from '../../../src/signaling/avatar-ws.js';

/** Node 20 has no global WebSocket; `ws` implements the same browser API. */
const createSocket = (url: string) => new NodeWebSocket(url) as unknown as WebSocket;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that hands every client message to `onMessage` with the socket to answer on. */
async function connected(onMessage: (message: { type: string }, socket: ServerSocket) => void): Promise<{ client: AvatarWsSignaling; received: string[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  );
  const received: string[] = [];
  server.on('connection', (socket) =>
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      received.push(message.type);
      onMessage(message, socket);
    }),
  );
  const { port } = server.address() as AddressInfo;
  const client = new AvatarWsSignaling(`ws://127.0.0.1:${port}/ws`, { createSocket, connectTimeoutMs: 2_000 });
  cleanups.push(() => client.close());
  await client.connect({ v: 1, type: 'hello', transport: 'webrtc' });
  return { client, received };
}

async function rejectionOf(promise: Promise<unknown>): Promise<PlayerError> {
  const outcome: unknown = await promise.then(
    () => 'resolved',
    (reason: unknown) => reason,
  );
  if (!(outcome instanceof PlayerError)) throw new Error(`expected a PlayerError rejection, got ${String(outcome)}`);
  return outcome;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RemoteOfferNegotiation.restartIce (avatar protocol)', () => {
  it('rejects with ice-failed when the server answers the ice-restart with an error', async () => {
    const { client, received } = await connected((message, socket) => {
      if (message.type === 'ice-restart') {
        socket.send(JSON.stringify({ v: 1, type: 'error', code: 'out-of-order', message: 'ice-restart before the first answer', fatal: false }));
      }
    });
    const startedAt = performance.now();
    const error = await rejectionOf(client.webRtcChannel().restartIce(10_000));
    expect(received).toEqual(['hello', 'ice-restart']);
    expect(error.code).toBe('webrtc-failed');
    expect(error.reason).toBe('ice-failed');
    expect(error.message).toMatch(/refused it: out-of-order: ice-restart before the first answer/);
    expect(performance.now() - startedAt).toBeLessThan(5_000); // the refusal, not the 10 s timeout
  });

  it('rejects when no new offer comes within the restart timeout', async () => {
    const { client, received } = await connected(() => undefined);
    const error = await rejectionOf(client.webRtcChannel().restartIce(200));
    expect(received).toEqual(['hello', 'ice-restart']);
    expect(error.reason).toBe('ice-failed');
    expect(error.message).toMatch(/no new offer within 200 ms/);
  });

  it('an offer in time stops the timeout; a later error does not count as a refusal', async () => {
    const { client } = await connected((message, socket) => {
      if (message.type !== 'ice-restart') return;
      socket.send(JSON.stringify({ v: 1, type: 'offer', sdp: 'v=0\r\n' }));
      socket.send(JSON.stringify({ v: 1, type: 'error', code: 'internal', message: 'something else', fatal: false }));
    });
    // No peer connection answers here, so the restart stays pending: it must neither time out nor be refused.
    const outcome = await Promise.race([client.webRtcChannel().restartIce(200).then(() => 'resolved', (error: unknown) => String(error)), sleep(600).then(() => 'pending')]);
    expect(outcome).toBe('pending');
  });

  it('rejects at once when the request cannot be sent (socket closed)', async () => {
    const { client } = await connected(() => undefined);
    const channel = client.webRtcChannel();
    client.close();
    const error = await rejectionOf(channel.restartIce(10_000));
    expect(error.message).toMatch(/could not be sent/);
  });

  it('rejects after close()', async () => {
    const { client } = await connected(() => undefined);
    const channel = client.webRtcChannel();
    channel.close();
    expect((await rejectionOf(channel.restartIce(10_000))).message).toMatch(/closed/);
  });
});
