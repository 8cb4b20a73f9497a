import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CandidateTrickle } from '../../../src/signaling/whep/candidate-trickle.js';
import { iceParametersOf } from '../../../src/signaling/whep/sdp-fragment.js';
import { chromium } from './fixtures/chromium-webrtc.js';

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server standing in for a WHEP session: records PATCHes and answers with `status`. */
async function sessionServer(status: number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/whep/abc`, received, server };
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const parameters = iceParametersOf(chromium.offer);
const host = /a=(candidate:[^\r\n]+)/.exec(chromium['local-after-gathering'])?.[1] ?? '';
const tcp = 'candidate:2911443322 1 tcp 1518157055 10.231.0.1 9 typ host tcptype active generation 0 network-cost 999';
const waitFor = async (predicate: () => boolean) => {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('CandidateTrickle', () => {
  it('holds candidates until the session URL is known, then sends them in one PATCH with If-Match', async () => {
    const { url, received, server } = await sessionServer(204);
    servers.push(server);
    const trickle = new CandidateTrickle(() => undefined);
    trickle.startSession(parameters);
    trickle.add(host, parameters.ufrag);
    trickle.add(tcp, parameters.ufrag);
    trickle.add(null, null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);
    trickle.release({ url, etag: '"xyzzy"', token: 'tok' });
    await waitFor(() => received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
    const [patch] = received;
    expect(patch?.method).toBe('PATCH');
    expect(patch?.headers['content-type']).toBe('application/trickle-ice-sdpfrag');
    expect(patch?.headers['if-match']).toBe('"xyzzy"');
    expect(patch?.headers['authorization']).toBe('Bearer tok');
    expect(patch?.body).toContain(`a=ice-ufrag:${parameters.ufrag}\r\n`);
    expect(patch?.body).toContain(`a=${host}\r\na=${tcp}\r\na=end-of-candidates\r\n`);
    trickle.close();
  });

  it('stops for good when the session answers 405', async () => {
    const { url, received, server } = await sessionServer(405);
    servers.push(server);
    const log: string[] = [];
    const trickle = new CandidateTrickle((line) => log.push(line));
    trickle.startSession(parameters);
    trickle.release({ url, etag: null, token: null });
    trickle.add(host, parameters.ufrag);
    await waitFor(() => log.length > 0);
    trickle.add(tcp, parameters.ufrag);
    trickle.add(null, null);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['if-match']).toBeUndefined();
    expect(received[0]?.headers['authorization']).toBeUndefined();
    expect(log.join()).toContain('does not take trickled candidates (HTTP 405)');
  });

  it('drops candidates of an old ICE session after a restart', async () => {
    const { url, received, server } = await sessionServer(204);
    servers.push(server);
    const trickle = new CandidateTrickle(() => undefined);
    trickle.startSession(parameters);
    trickle.hold();
    const restarted = iceParametersOf(chromium['restart-offer']);
    trickle.startSession(restarted);
    trickle.add(host, parameters.ufrag); // old generation: dropped
    trickle.add(tcp, restarted.ufrag);
    trickle.release({ url, etag: '"new"', token: null });
    await waitFor(() => received.length > 0);
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toContain(`a=ice-ufrag:${restarted.ufrag}`);
    expect(received[0]?.body).not.toContain(host);
    expect(received[0]?.body).toContain(tcp);
    trickle.close();
  });

  it('keeps what the browser gathers for the restart before its credentials are read (hold … startSession)', async () => {
    const { url, received, server } = await sessionServer(204);
    servers.push(server);
    const trickle = new CandidateTrickle(() => undefined);
    trickle.startSession(parameters);
    trickle.hold();
    const restarted = iceParametersOf(chromium['restart-offer']);
    // setLocalDescription of the restart offer starts gathering at once: these come before startSession.
    trickle.add(tcp, restarted.ufrag);
    trickle.add(host, parameters.ufrag); // a late one of the old session: dropped
    trickle.add(null, null); // the end of the new session's candidates
    trickle.startSession(restarted);
    trickle.release({ url, etag: '"new"', token: null });
    await waitFor(() => received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toContain(`a=ice-ufrag:${restarted.ufrag}`);
    expect(received[0]?.body).toContain(`a=${tcp}\r\na=end-of-candidates\r\n`);
    expect(received[0]?.body).not.toContain(host);
    trickle.close();
  });

  it('a rolled-back restart: back on the previous session, the new one\'s candidates are dropped and trickling goes on', async () => {
    const { url, received, server } = await sessionServer(204);
    servers.push(server);
    const trickle = new CandidateTrickle(() => undefined);
    trickle.startSession(parameters);
    trickle.release({ url, etag: null, token: null });
    trickle.hold();
    const restarted = iceParametersOf(chromium['restart-offer']);
    trickle.startSession(restarted);
    trickle.add(tcp, restarted.ufrag);
    trickle.add(null, restarted.ufrag);
    expect(trickle.session?.ufrag).toBe(restarted.ufrag);
    trickle.startSession(parameters); // the PATCH failed: rolled back
    trickle.release({ url, etag: null, token: null });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([]);
    trickle.add(host, parameters.ufrag); // still trickling for the previous session
    await waitFor(() => received.length > 0);
    expect(received[0]?.body).toContain(`a=ice-ufrag:${parameters.ufrag}`);
    expect(received[0]?.body).toContain(host);
    expect(received[0]?.body).not.toContain(tcp);
    trickle.close();
  });
});
