/**
 * A TCP proxy on 127.0.0.1 that can stop forwarding server → client for a while, to stall a WebSocket
 * the way a congested network does: while paused it stops reading from the server (the bytes wait in the
 * kernel's socket buffers and the server's send queue), and on resume the whole backlog flows on.
 * When not paused every chunk is written on as it is read: no buffering, Nagle off on both legs.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpPauseProxy {
  /** The port it listens on, 127.0.0.1. */
  readonly port: number;
  /** Stops forwarding server → client on every connection, now and for new ones. */
  pause(): void;
  resume(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpPauseProxy(target: { host: string; port: number }): Promise<TcpPauseProxy> {
  const pairs = new Set<Pair>();
  let paused = false;

  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    const pair = { client, upstream };
    pairs.add(pair);
    forward(client, upstream, () => false);
    forward(upstream, client, () => paused);
    if (paused) upstream.pause();
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.once('close', end);
      socket.once('error', end);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
      for (const { upstream } of pairs) upstream.pause();
    },
    resume() {
      paused = false;
      for (const { upstream } of pairs) upstream.resume();
    },
    close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes every chunk of `from` to `to` at once; reads stop only for backpressure or while `held()`. */
function forward(from: Socket, to: Socket, held: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (!held()) from.resume();
  });
  from.once('end', () => to.end());
}
