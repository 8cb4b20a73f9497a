// A stand-in for "any WebSocket carrying a plain fMP4 byte stream" (`mse-src`): ffmpeg-made fMP4 streams
// served at ws://127.0.0.1:PORT/fmp4/<variant>?<options>, paced in real time, looped, optionally cut into odd
// chunks, stalled, corrupted or interleaved with text messages. Over HTTP: GET /health (how many are connected)
// and GET /fmp4/<variant>.mp4 (the stream's bytes at once, to check them apart from the pacing).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { parseRelayOptions, RelayOptionsError } from './fmp4-relay-options.mjs';
import { runRelaySession } from './fmp4-relay-session.mjs';
import { scheduleFmp4Stream } from './fmp4-schedule.mjs';

export { CHUNK_MODES, ODD_CHUNK_SIZES, PACE_MODES, parseRelayOptions, RelayOptionsError } from './fmp4-relay-options.mjs';
export { CORRUPT_BYTES } from './fmp4-relay-session.mjs';
export { scheduleFmp4Stream } from './fmp4-schedule.mjs';
export { FMP4_VARIANTS, makeFmp4TestStreams } from './fmp4-test-streams.mjs';

const HOST = '127.0.0.1';
const STREAM_PATH = '/fmp4/';
/** go2rtc's WebSocket API: `/api/ws?src=<variant>`, which streams only after the client's `{type:'mse'}` request. */
const GO2RTC_PATH = '/api/ws';
const GO2RTC_REQUEST_TIMEOUT_MS = 5_000;

/** @param {import('./fmp4-relay.mjs').Fmp4RelayStartOptions} options */
export async function startFmp4Relay({
  streams,
  maxConnections = 8,
  maxConnectionMs = 10 * 60_000,
  maxBufferedBytes = 16 * 1024 * 1024,
}) {
  const schedules = new Map([...streams].map(([variant, bytes]) => [variant, scheduleFmp4Stream(bytes)]));
  const sockets = new Set();
  const http = createServer((request, response) => answerHttp(request, response, sockets.size, streams));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });

  http.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const decision = upgradeDecision(request.url, schedules, sockets.size >= maxConnections);
    if (decision.status !== 101) return refuse(socket, decision.status, decision.reason);
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      const run = () => runRelaySession(ws, decision.schedule, decision.options, { maxConnectionMs, maxBufferedBytes, onEnd: () => sockets.delete(ws) });
      if (!decision.go2rtc) return run();
      ws.on('close', () => sockets.delete(ws));
      awaitGo2rtcRequest(ws, run);
    });
  });

  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, HOST, () => resolve(undefined));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (http.address());

  const closeNow = () => {
    for (const ws of sockets) ws.terminate();
    wss.close();
    http.close();
    http.closeAllConnections();
  };
  return {
    baseUrl: `ws://${HOST}:${port}/fmp4`,
    httpUrl: `http://${HOST}:${port}`,
    variants: [...schedules.keys()],
    schedules,
    connectionCount: () => sockets.size,
    closeNow,
    close: () =>
      new Promise((resolve) => {
        http.once('close', () => resolve(undefined));
        closeNow();
      }),
  };
}

/** What an upgrade request to `url` gets: 101 with the stream and options, or an HTTP error and why. */
function upgradeDecision(url, schedules, full) {
  const parsed = new URL(url ?? '/', `ws://${HOST}`);
  const go2rtc = parsed.pathname === GO2RTC_PATH;
  if (!go2rtc && !parsed.pathname.startsWith(STREAM_PATH)) return { status: 404, reason: `no stream at ${parsed.pathname}` };
  const variant = go2rtc ? parsed.searchParams.get('src') ?? '' : parsed.pathname.slice(STREAM_PATH.length);
  parsed.searchParams.delete('src');
  const schedule = schedules.get(variant);
  if (!schedule) return { status: 404, reason: `unknown variant "${variant}"` };
  let options;
  try {
    options = parseRelayOptions(parsed.searchParams);
  } catch (error) {
    if (!(error instanceof RelayOptionsError)) throw error;
    return { status: 400, reason: error.message };
  }
  if (full) return { status: 503, reason: 'too many connections' };
  return { status: 101, schedule, options, go2rtc };
}

/** As go2rtc does: nothing until the client asks for MSE, then the MIME type as text, then the stream. */
function awaitGo2rtcRequest(ws, start) {
  const timer = setTimeout(() => ws.close(1008, 'no mse request'), GO2RTC_REQUEST_TIMEOUT_MS);
  ws.once('message', (data, isBinary) => {
    clearTimeout(timer);
    let request;
    try {
      request = isBinary ? undefined : JSON.parse(String(data));
    } catch {
      request = undefined;
    }
    if (request?.type !== 'mse' || typeof request.value !== 'string') return ws.close(1008, 'expected {"type":"mse"}');
    ws.send(JSON.stringify({ type: 'mse', value: 'video/mp4; codecs="avc1.42C01E,mp4a.40.2"' }));
    start();
  });
}

function refuse(socket, status, reason) {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** GET /health → `{ ok, connections, variants }`; GET /fmp4/<variant>.mp4 → one loop's bytes, as they are. */
function answerHttp(request, response, connections, streams) {
  const cors = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
  const json = { ...cors, 'content-type': 'application/json' };
  const path = new URL(request.url ?? '/', `http://${HOST}`).pathname;
  const file = path.startsWith(STREAM_PATH) && path.endsWith('.mp4') ? streams.get(path.slice(STREAM_PATH.length, -'.mp4'.length)) : undefined;
  if (request.method !== 'GET') {
    response.writeHead(405, json).end(JSON.stringify({ ok: false, error: 'GET only' }));
  } else if (path === '/health') {
    response.writeHead(200, json).end(JSON.stringify({ ok: true, connections, variants: [...streams.keys()] }));
  } else if (file) {
    response.writeHead(200, { ...cors, 'content-type': 'video/mp4', 'content-length': file.length }).end(file);
  } else {
    response.writeHead(404, json).end(JSON.stringify({ ok: false, error: 'not found' }));
  }
}
