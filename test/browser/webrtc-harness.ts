// Runs a WebRtcTransport directly (no session, no element) over either signaling, for the WHEP and
// recovery tests: they assert on the transport's own events, not on the session's fallback logic.
import type { PlayerError } from '../../src/events.js';
import { AvatarWsSignaling } from '../../src/signaling/avatar-ws.js';
import { WhepClient } from '../../src/signaling/whep-client.js';
import type { TransportEvents } from '../../src/transports/transport.js';
import type { IceRestartTiming } from '../../src/transports/webrtc/ice-restart-policy.js';
import type { WebRtcSignaling } from '../../src/transports/webrtc/webrtc-signaling.js';
import { WebRtcTransport } from '../../src/transports/webrtc/webrtc-transport.js';
import { assert } from './helpers.js';

export interface Harness {
  transport: WebRtcTransport;
  video: HTMLVideoElement;
  /** Every debug line the transport and its signaling logged, with ms since the harness started. */
  log: string[];
  errors: PlayerError[];
  degraded: TransportEvents['degraded'][];
  restored: number;
  /** ms from start() to the first frame; resolves when it is presented. */
  firstFrame: Promise<number>;
  started: Promise<void>;
  close(): void;
}

const harnesses: Harness[] = [];

function harness(makeSignaling: () => WebRtcSignaling, iceServers: RTCIceServer[] = [], iceTiming?: IceRestartTiming): Harness {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.style.width = '160px';
  document.body.append(video);
  const t0 = performance.now();
  const log: string[] = [];
  const transport = new WebRtcTransport({
    signaling: makeSignaling(),
    iceServers,
    iceTransportPolicy: 'all',
    log: (line) => log.push(`${Math.round(performance.now() - t0)} ${line}`),
    ...(iceTiming ? { iceTiming } : {}),
  });
  const h: Harness = {
    transport,
    video,
    log,
    errors: [],
    degraded: [],
    restored: 0,
    firstFrame: new Promise((resolve) => transport.on('firstframe', () => resolve(performance.now() - t0))),
    started: Promise.resolve(),
    close: () => {
      transport.close();
      video.remove();
    },
  };
  transport.on('error', ({ error }) => h.errors.push(error));
  transport.on('degraded', (detail) => h.degraded.push(detail));
  transport.on('restored', () => (h.restored += 1));
  h.started = transport.start(video).then(() => void video.play().catch(() => undefined));
  harnesses.push(h);
  return h;
}

/** A WebRTC session over WHEP at `endpoint`. */
export function whepHarness(endpoint: string, options: { token?: string; iceTiming?: IceRestartTiming } = {}): Harness {
  return harness(() => new WhepClient(endpoint, { token: options.token ?? null }), [], options.iceTiming);
}

/** A WebRTC session over the avatar protocol: hello, welcome, then the server's offer is answered. */
export async function avatarHarness(wsUrl: string, iceTiming?: IceRestartTiming): Promise<Harness & { socket: AvatarWsSignaling }> {
  const socket = new AvatarWsSignaling(wsUrl);
  const welcome = new Promise<RTCIceServer[]>((resolve) => socket.on('welcome', ({ iceServers }) => resolve(iceServers)));
  await socket.connect({ v: 1, type: 'hello', transport: 'webrtc' });
  // The offer follows welcome at once: the transport must be listening before the next task.
  const iceServers = await welcome;
  const h = harness(() => socket.webRtcChannel(), iceServers, iceTiming);
  const close = h.close;
  return Object.assign(h, {
    socket,
    close: () => {
      close();
      socket.close();
    },
  });
}

export function closeAllHarnesses(): void {
  for (const h of harnesses.splice(0)) h.close();
}

/** Waits until `predicate` holds, polling every 50 ms; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    assert(performance.now() < deadline, `${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many frames the video presents during `ms` (requestVideoFrameCallback). */
export function framesDuring(video: HTMLVideoElement, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let frames = 0;
    let handle = 0;
    const onFrame = () => {
      frames += 1;
      handle = video.requestVideoFrameCallback(onFrame);
    };
    handle = video.requestVideoFrameCallback(onFrame);
    setTimeout(() => {
      video.cancelVideoFrameCallback(handle);
      resolve(frames);
    }, ms);
  });
}

export async function healthOf(httpUrl: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${httpUrl}/health`, { cache: 'no-store' });
  return (await response.json()) as Record<string, unknown>;
}

export async function waitForViewers(httpUrl: string, wanted: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let viewers = (await healthOf(httpUrl))['viewers'];
  while (viewers !== wanted) {
    assert(performance.now() < deadline, `/health viewers ${String(viewers)}, not ${wanted}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    viewers = (await healthOf(httpUrl))['viewers'];
  }
}
