/**
 * One try at playing one route: open its socket (the avatar server's signaling socket, with hello
 * and welcome, or a plain fMP4 socket), run the route's transport to the first frame. It reports
 * what happened; the session decides what to do about it.
 */

import { startPlayback } from './autoplay.js';
import type { PlayerConfig } from './config.js';
import { PlayerError, toPlayerError, type PlayerWarningDetail } from './events.js';
import type { CueMessage, TransportKind, WelcomeMessage } from './protocol.js';
import type { Route } from './routes.js';
import { AvatarWsSignaling } from './signaling/avatar-ws.js';
import { ClockPings } from './signaling/clock-pings.js';
import { ClockOffsetEstimator } from './sync/clock-offset.js';
import type { PlayoutSource } from './sync/playout-monitor.js';
import { StreamTimeline } from './sync/stream-timeline.js';
import { createTransport, type TransportChannel } from './transports/create-transport.js';
import type { Fmp4Socket } from './transports/mse/fmp4-socket.js';
import { lazySignaling } from './transports/webrtc/lazy-signaling.js';
import { failureCodeOf, type DebugLog, type Transport, type TransportEvents, type TransportStats } from './transports/transport.js';
import { TypedEmitter } from './typed-emitter.js';
import { withTimeout } from './with-timeout.js';

export interface AttemptEvents {
  firstframe: Record<string, never>;
  degraded: TransportEvents['degraded'];
  restored: TransportEvents['restored'];
  /** Something went wrong that does not stop playback. */
  problem: { error: PlayerError };
  warning: PlayerWarningDetail;
  /** The attempt is over; emitted at most once. `retryable` is false when the server refused for good. */
  failed: { error: PlayerError; retryable: boolean };
  /** A timed cue from the server. */
  cue: CueMessage;
}

export interface AttemptTimeouts {
  connectMs: number;
  welcomeMs: number;
  /** From the start of the transport to the first frame on screen. */
  firstFrameMs: number;
}

export const DEFAULT_TIMEOUTS: AttemptTimeouts = { connectMs: 5_000, welcomeMs: 5_000, firstFrameMs: 10_000 };
/** How long a timed-out path may take to say why. */
const REASON_TIMEOUT_MS = 1_000;

export class PlaybackAttempt extends TypedEmitter<AttemptEvents> {
  private signaling: AvatarWsSignaling | undefined;
  private fmp4Socket: Fmp4Socket | undefined;
  private transport: Transport | undefined;
  private welcomed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private over = false;
  private framed = false;
  /** What the server says about time: its clock samples, and its clock's offset from ping/pong. */
  private readonly timeline = new StreamTimeline();
  private readonly clockOffset = new ClockOffsetEstimator();
  private pings: ClockPings | undefined;

  constructor(
    private readonly route: Route,
    private readonly config: PlayerConfig,
    private readonly video: HTMLVideoElement,
    private readonly timeouts: AttemptTimeouts,
    private readonly log: DebugLog,
  ) {
    super();
  }

  start(): void {
    if (this.route.protocol === 'fmp4') this.startFmp4();
    else if (this.route.protocol === 'whep') this.startWhep();
    else this.startAvatar();
  }

  /** Ends the attempt without an event; idempotent. `bye` tells the server it was on purpose. */
  close(sayBye = false): void {
    this.over = true;
    clearTimeout(this.timer);
    this.pings?.stop();
    this.transport?.close();
    if (sayBye) this.signaling?.send({ v: 1, type: 'bye', reason: 'disconnect' });
    this.signaling?.close();
    this.fmp4Socket?.close();
  }

  stats(): TransportStats {
    return this.transport?.stats() ?? {};
  }

  /** How this path's frames map to the stream timeline and the server's clock. */
  playoutSource(): PlayoutSource {
    const { timeline } = this;
    return {
      ptsOfFrame: (metadata) => this.transport?.ptsOfFrame?.(metadata, timeline),
      serverTimeOf: (pts) => timeline.serverTimeOf(pts),
      serverOffsetMs: () => this.clockOffset.offsetMs(),
      avOffsetOf: (frame) => this.transport?.avOffsetOf?.(frame, timeline),
    };
  }

  /** True or false when the transport can tell whether the sound playing now is silence. */
  quietNow(): boolean | undefined {
    return this.transport?.quietNow?.();
  }

  private startAvatar(): void {
    const signaling = new AvatarWsSignaling(this.route.url, { connectTimeoutMs: this.timeouts.connectMs });
    this.signaling = signaling;
    signaling.on('welcome', (welcome) => this.onWelcome(signaling, welcome));
    signaling.on('protocol-error', ({ message }) => this.problem(new PlayerError('protocol-error', message)));
    signaling.on('server-error', ({ code, message, fatal }) => {
      const error = new PlayerError('server-error', `${code}: ${message}`);
      // docs/protocol.md §5: only a server-side failure is worth retrying; a refusal stays a refusal.
      if (fatal) this.finish(error, code === 'internal');
      else if (code === 'unsupported-transport') this.finish(error, false);
      else this.problem(error);
    });
    signaling.on('bye', ({ reason }) => this.finish(new PlayerError('signaling-closed', `the server ended the session${reason ? `: ${reason}` : ''}`)));
    signaling.on('closed', ({ code, reason }) => this.finish(socketClosed(code, reason)));
    this.listenForTime(signaling);
    // The MSE path needs nothing from welcome: its worker and MediaSource start while the socket connects.
    if (this.route.kind === 'mse') this.startTransport({ kind: 'mse', feed: signaling.mediaFeed() });
    const hello = { v: 1, type: 'hello', transport: this.route.kind, ...(this.config.token ? { token: this.config.token } : {}) } as const;
    signaling.connect(hello).then(
      () => {
        this.pings?.start();
        if (!this.welcomed) this.armTimer(this.timeouts.welcomeMs, 'signaling-unreachable', 'the server sent no welcome');
      },
      (error: unknown) => this.finish(toPlayerError(error, 'signaling-unreachable')),
    );
  }

  private listenForTime(signaling: AvatarWsSignaling): void {
    this.pings = new ClockPings((ping) => signaling.send(ping), (sample) => this.clockOffset.add(sample));
    signaling.on('pong', (pong) => this.pings?.onPong(pong));
    signaling.on('clock', (clock) => this.timeline.addClock(clock));
    signaling.on('cue', (cue) => !this.over && this.emit('cue', cue));
  }

  /** WHEP has no socket: its HTTP signaling lives in the transport, which DELETEs the session on close. */
  private startWhep(): void {
    const { url } = this.route;
    const options = { token: this.config.token, requestTimeoutMs: this.timeouts.connectMs };
    const signaling = lazySignaling(() => import('./signaling/whep-client.js').then(({ WhepClient }) => new WhepClient(url, options)));
    this.startTransport({ kind: 'webrtc', signaling, serverIceServers: [] });
  }

  /** A plain fMP4 socket (`mse-src`): its code loads with the MSE path's, only when such a route is used. */
  private startFmp4(): void {
    import('./transports/mse/fmp4-socket.js').then(
      ({ Fmp4Socket }) => !this.over && this.openFmp4(new Fmp4Socket(this.route.url, this.log)),
      (error: unknown) => this.finish(new PlayerError('mse-failed', `the mse-src player failed to load: ${String(error)}`)),
    );
  }

  private openFmp4(socket: Fmp4Socket): void {
    this.fmp4Socket = socket;
    socket.on('closed', ({ code, reason }) => this.finish(socketClosed(code, reason)));
    socket.open(this.timeouts.connectMs).then(
      () => this.startTransport({ kind: 'mse', feed: socket.mediaFeed() }),
      (error: unknown) => this.finish(toPlayerError(error, 'signaling-unreachable')),
    );
  }

  private onWelcome(signaling: AvatarWsSignaling, welcome: WelcomeMessage): void {
    if (this.over || this.welcomed) return this.problem(new PlayerError('protocol-error', 'a second welcome was ignored'));
    this.welcomed = true;
    clearTimeout(this.timer);
    this.log(`welcome from ${welcome.server}, session ${welcome.session}`);
    if (this.route.kind !== 'webrtc') return this.armFirstFrameTimer();
    // Synchronous from here to transport.start(): the offer that follows welcome must find its listener.
    this.startTransport({ kind: 'webrtc', signaling: signaling.webRtcChannel(), serverIceServers: welcome.iceServers });
  }

  private startTransport(channel: TransportChannel): void {
    if (this.over) return;
    const transport = createTransport(channel, this.config, this.log);
    this.transport = transport;
    transport.on('firstframe', () => this.onFirstFrame());
    transport.on('error', ({ error }) => this.finish(error));
    transport.on('recovered', ({ error }) => this.problem(error));
    transport.on('warning', (warning) => !this.over && this.emit('warning', warning));
    transport.on('degraded', (detail) => !this.over && this.emit('degraded', detail));
    transport.on('restored', () => !this.over && this.emit('restored', {}));
    this.armFirstFrameTimer();
    transport.start(this.video).then(
      () => this.play(),
      (error: unknown) => this.finish(toPlayerError(error, failureCodeOf(channel.kind))),
    );
  }

  private async play(): Promise<void> {
    // Muted until the session brings it on screen: a path off screen is never heard.
    const { outcome, error } = await startPlayback(this.video);
    if (this.over) return;
    if (outcome === 'failed') this.problem(new PlayerError('media-error', `the video does not play: ${error?.message ?? 'unknown'}`));
  }

  private onFirstFrame(): void {
    if (this.over) return;
    this.framed = true;
    clearTimeout(this.timer);
    this.emit('firstframe', {});
  }

  /** A hidden page presents no frames, so the clock only runs out on a visible one. */
  private armFirstFrameTimer(): void {
    const { firstFrameMs } = this.timeouts;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.video.ownerDocument.visibilityState === 'hidden') return this.armFirstFrameTimer();
      void this.timedOut(firstFrameMs);
    }, firstFrameMs);
  }

  /** Says why the path showed nothing when the transport can tell (WebRTC: UDP blocked), else 'timeout'. */
  private async timedOut(firstFrameMs: number): Promise<void> {
    const diagnosis = this.transport?.failureReason?.().catch(() => undefined);
    const reason = (await withTimeout(diagnosis, REASON_TIMEOUT_MS)) ?? 'timeout';
    // The first frame may have come while the transport was asked why it had none.
    if (this.framed) return;
    this.finish(new PlayerError(failureCodeOf(this.route.kind), `no video frame within ${firstFrameMs} ms`, reason));
  }

  private armTimer(ms: number, code: PlayerError['code'], message: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.finish(new PlayerError(code, message)), ms);
  }

  private problem(error: PlayerError): void {
    if (!this.over) this.emit('problem', { error });
  }

  /** Reports before it closes, so that the session can still freeze the last frame on screen. */
  private finish(error: PlayerError, retryable = true): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    this.emit('failed', { error, retryable });
    this.close();
  }
}

function socketClosed(code: number, reason: string): PlayerError {
  return new PlayerError('signaling-closed', `the socket closed (code ${code}${reason ? `, ${reason}` : ''})`);
}
