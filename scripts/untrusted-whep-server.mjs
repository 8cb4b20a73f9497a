// A WHEP endpoint that answers the way a broken or hostile one could, on its own loopback port, for
// test/browser/whep.test.ts: POST /<case> gets that case's answer. CORS headers are sent (and
// Location exposed), so that the page sees the answer itself rather than a CORS failure, except for
// `no-cors`, whose preflight and answer carry none: an answer the page cannot read.
import { createServer } from 'node:http';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';

const CASES = {
  'no-location': { status: 201, type: 'application/sdp', body: SDP },
  'not-sdp': { status: 201, type: 'text/html', body: '<html>hello</html>', location: '/whep/x' },
  'sdp-type-html-body': { status: 201, type: 'application/sdp', body: '<html>hello</html>', location: '/whep/x' },
  oversize: { status: 201, type: 'application/sdp', body: SDP + 'a=x\r\n'.repeat(200_000), location: '/whep/x' },
  'server-error': { status: 500, type: 'application/problem+json', body: '{"title":"media server on fire"}' },
  'bad-location': { status: 201, type: 'application/sdp', body: SDP, location: 'javascript:alert(1)' },
  'no-cors': { status: 201, type: 'application/sdp', body: SDP, location: '/whep/x' },
};
/** `slow` never answers within the client's 5 s; the socket is closed after this. */
const SLOW_MS = 8_000;

/** @returns {Promise<{ url: string; close(): Promise<void> }>} */
export async function startUntrustedWhepServer() {
  const timers = new Set();
  const server = createServer((request, response) => {
    const name = (request.url ?? '').slice(1);
    if (name !== 'no-cors') {
      response.setHeader('Access-Control-Allow-Origin', '*');
      response.setHeader('Access-Control-Allow-Methods', 'POST, PATCH, DELETE, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', 'Content-Type, If-Match, Authorization');
      response.setHeader('Access-Control-Expose-Headers', 'Location, Link, ETag');
    }
    request.resume();
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    if (name === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        response.destroy();
      }, SLOW_MS);
      timers.add(timer);
      return undefined;
    }
    const answer = CASES[name];
    if (!answer || request.method !== 'POST') return void response.writeHead(404).end();
    response.writeHead(answer.status, { 'Content-Type': answer.type, ...(answer.location ? { Location: answer.location } : {}) });
    response.end(answer.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
