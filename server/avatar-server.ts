import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, MAX_MESSAGE_BYTES } from '../src/protocol.js';
import { randomBytes } from 'node:crypto';
import { ClipLibrary } from './clips/clip-library.js';
import { CueHub } from './cues/cue-hub.js';
import { CueScheduler } from './cues/cue-scheduler.js';
import type { Logger } from './log.js';
import { Playout } from './playout/playout.js';
import { SendLog } from './playout/send-log.js';
import { Timeline } from './playout/timeline.js';
import { MseViewer, type MseOutputOptions } from './outputs/mse/mse-viewer.js';
import { iceTiming, type IceTiming } from './outputs/webrtc/ice-timing.js';
import { WebRtcViewer } from './outputs/webrtc/webrtc-viewer.js';
import { ViewerSession, type ViewerFactories } from './signaling/viewer-session.js';
import { turnIceServer, type TurnConfig } from './turn/turn-credentials.js';
import { WhepEndpoint, type WhepOptions } from './whep/whep-endpoint.js';

export interface AvatarServerOptions {
  port: number;
  host: string;
  /** Folder a lip-sync generator drops clips into; the built-in demo clips play when absent. */
  clipsDir?: string;
  /** Idle loop clip; defaults to `idle.mp4` in the clips folder, else the built-in one. */
  idleClip?: string;
  cacheDir: string;
  /** Extra host addresses for ICE (e.g. a public address in front of this machine). */
  announcedAddresses: string[];
  /** Limits of the fMP4-over-WebSocket output, e.g. how much a slow reader may have queued. */
  mse?: MseOutputOptions;
  /** A TURN server sharing a secret with us: every session gets a fresh short-lived credential for it. */
  turn?: TurnConfig;
  /** When a WebRTC path counts as lost and how long an ICE restart may take (defaults: 8 s and 15 s). */
  iceTiming?: Partial<IceTiming>;
  /** Writes one JSON line per video frame sent to this file (for the benchmark). */
  sendLog?: string;
  /** The WHEP endpoint (RFC 9725) at /whep; trickle (PATCH) is on by default. */
  whep?: Partial<WhepOptions>;
  log: Logger;
}

export interface AvatarServer {
  port: number;
  wsUrl: string;
  close(): Promise<void>;
}

const SERVER_NAME = 'avatar-player reference server';
const HEARTBEAT_MS = 15_000;

export async function startAvatarServer(options: AvatarServerOptions): Promise<AvatarServer> {
  const { log } = options;
  const library = await ClipLibrary.open({ ...options, log: log.child('clips') });
  // The timeline schedules its first clip (and makes its cues) before the playout exists: stream time 0 till then.
  let playout: Playout | undefined;
  const cues = new CueHub(() => playout?.positionNow() ?? 0, (error) => log.error(`cues: ${String(error)}`));
  const cueScheduler = new CueScheduler((cue) => cues.publish(cue), randomBytes(4).toString('hex'));
  playout = new Playout(new Timeline(library.queue, cueScheduler), (error) => log.error(`playout: ${String(error)}`));
  const sendLog = options.sendLog ? await openSendLog(options.sendLog, playout, library, log) : undefined;
  const sessions = new Set<ViewerSession>();
  const { turn } = options;
  const timing = iceTiming(options.iceTiming);
  const webRtcOptions = { announcedAddresses: options.announcedAddresses, profileLevelId: library.profileLevelId, silenceLimitMs: timing.silenceLimitMs };
  const viewers: ViewerFactories = {
    webrtc: (events) => new WebRtcViewer(playout, webRtcOptions, events, log.child('webrtc')),
    mse: (connection) => new MseViewer(playout, connection, options.mse ?? {}, log.child('mse')),
    cues,
    iceServers: () => (turn ? [turnIceServer(turn)] : []),
  };
  const whep = new WhepEndpoint({
    trickle: options.whep?.trickle ?? true,
    maxResources: options.whep?.maxResources,
    idleMs: options.whep?.idleMs,
    profileLevelId: library.profileLevelId,
    makeViewer: viewers.webrtc,
    iceServers: viewers.iceServers,
    log: log.child('whep'),
  });

  const health = () => ({
    ok: true,
    viewers: sessions.size + whep.viewers,
    whepViewers: whep.viewers,
    queued: library.queue.length,
    nowPlaying: playout.nowPlaying,
    clipsPlayed: playout.clipsPlayed,
    bufferedBytes: [...sessions].reduce((sum, session) => sum + session.bufferedBytes, 0),
  });
  const http = createServer((request, response) => {
    const path = pathOf(request);
    if (whep.handles(path)) whep.serve(request, response, path);
    else serveHttp(request, response, health);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(request) !== '/ws') return void socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new ViewerSession(ws, viewers, SERVER_NAME, log.child('session'), (ended) => sessions.delete(ended), timing.restartWaitMs);
      sessions.add(session);
      keepAlive(ws);
    });
  });

  try {
    await listen(http, options.port, options.host);
  } catch (error) {
    await library.close();
    await sendLog?.close();
    throw error;
  }
  http.on('error', (error) => log.error(`http: ${error.message}`));
  playout.start();
  const { port } = http.address() as AddressInfo;
  return {
    port,
    wsUrl: `ws://${formatHost(options.host)}:${port}/ws`,
    async close() {
      playout.stop();
      await library.close();
      for (const session of sessions) session.close(CloseCode.goingAway, 'server shutting down');
      whep.closeAll();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await sendLog?.close();
    },
  };
}

async function openSendLog(file: string, playout: Playout, library: ClipLibrary, log: Logger): Promise<SendLog> {
  try {
    return await SendLog.open(file, playout, log.child('send-log'));
  } catch (error) {
    await library.close();
    throw error;
  }
}

function listen(http: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}

function serveHttp(request: IncomingMessage, response: ServerResponse, health: () => object): void {
  response.setHeader('Access-Control-Allow-Origin', '*');
  if (request.method === 'GET' && pathOf(request) === '/health') {
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify(health()));
    return;
  }
  response.statusCode = 404;
  response.end('not found\n');
}

/** Terminates sockets whose peer vanished without a close, so that their viewers do not leak. */
function keepAlive(ws: WebSocket): void {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, HEARTBEAT_MS);
  ws.on('close', () => clearInterval(timer));
}

function pathOf(request: IncomingMessage): string {
  return new URL(request.url ?? '/', 'http://host').pathname;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
