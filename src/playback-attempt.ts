/**
 * One try at playing: open the signaling socket, say hello, wait for welcome, run one transport
 * to the first frame. It reports what happened; the session decides what to do about it.
 */

import { startPlayback } from './autoplay.js';
import type { PlayerConfig } from './config.js';
import { PlayerError, toPlayerError } from './events.js';
import type { TransportKind, WelcomeMessage } from './protocol.js';
import { AvatarWsSignaling } from './signaling/avatar-ws.js';
import { createTransport } from './transports/create-transport.js';
import type { DebugLog, Transport } from './transports/transport.js';
import { TypedEmitter } from './typed-emitter.js';

export interface AttemptEvents {
  /** A transport was chosen and started. */
  transport: { kind: TransportKind };
  firstframe: Record<string, never>;
  /** Sound was refused; the video now plays muted. */
  autoplayblocked: Record<string, never>;
  /** Something went wrong that does not stop playback. */
  warning: { error: PlayerError };
  /** The attempt is over; emitted at most once. `retryable` is false when the server refused for good. */
  failed: { error: PlayerError; retryable: boolean };
}

export interface AttemptTimeouts {
  connectMs: number;
  welcomeMs: number;
  /** From the start of the transport to the first frame on screen. */
  firstFrameMs: number;
}

export const DEFAULT_TIMEOUTS: AttemptTimeouts = { connectMs: 5_000, welcomeMs: 5_000, firstFrameMs: 10_000 };

export class PlaybackAttempt extends TypedEmitter<AttemptEvents> {
  private readonly signaling: AvatarWsSignaling;
  private transport: Transport | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private over = false;

  constructor(
    private readonly src: string,
    private readonly kind: TransportKind,
    private readonly config: PlayerConfig,
    private readonly video: HTMLVideoElement,
    private readonly timeouts: AttemptTimeouts,
    private readonly log: DebugLog,
  ) {
    super();
    this.signaling = new AvatarWsSignaling(src, { connectTimeoutMs: timeouts.connectMs });
  }

  start(): void {
    const { signaling } = this;
    signaling.on('welcome', (welcome) => this.onWelcome(welcome));
    signaling.on('protocol-error', ({ message }) => this.warn(new PlayerError('protocol-error', message)));
    signaling.on('server-error', ({ code, message, fatal }) => {
      const error = new PlayerError('server-error', `${code}: ${message}`);
      // docs/protocol.md §5: only a server-side failure is worth retrying; a refusal stays a refusal.
      if (fatal) this.finish(error, code === 'internal');
      else this.warn(error);
    });
    signaling.on('bye', ({ reason }) => this.finish(new PlayerError('signaling-closed', `the server ended the session${reason ? `: ${reason}` : ''}`)));
    signaling.on('closed', ({ code, reason }) =>
      this.finish(new PlayerError('signaling-closed', `the signaling socket closed (code ${code}${reason ? `, ${reason}` : ''})`)),
    );
    const hello = { v: 1, type: 'hello', transport: this.kind, ...(this.config.token ? { token: this.config.token } : {}) } as const;
    signaling.connect(hello).then(
      () => {
        if (!this.transport) this.armTimer(this.timeouts.welcomeMs, 'signaling-unreachable', 'the server sent no welcome');
      },
      (error: unknown) => this.finish(toPlayerError(error, 'signaling-unreachable')),
    );
  }

  /** Ends the attempt without an event; idempotent. `bye` tells the server it was on purpose. */
  close(sayBye = false): void {
    this.over = true;
    clearTimeout(this.timer);
    this.transport?.close();
    if (sayBye) this.signaling.send({ v: 1, type: 'bye', reason: 'disconnect' });
    this.signaling.close();
  }

  private onWelcome(welcome: WelcomeMessage): void {
    if (this.over || this.transport) return this.warn(new PlayerError('protocol-error', 'a second welcome was ignored'));
    this.log(`welcome from ${welcome.server}, session ${welcome.session}`);
    // Synchronous from here to transport.start(): the offer that follows welcome must find its listener.
    const transport = createTransport(this.kind, {
      config: this.config,
      signaling: this.signaling,
      serverIceServers: welcome.iceServers,
      log: this.log,
    });
    this.transport = transport;
    transport.on('firstframe', () => this.onFirstFrame());
    transport.on('error', ({ error }) => this.finish(error));
    this.armFirstFrameTimer();
    this.emit('transport', { kind: this.kind });
    transport.start(this.video).then(
      () => this.play(),
      (error: unknown) => this.finish(toPlayerError(error, failureCodeOf(this.kind))),
    );
  }

  private async play(): Promise<void> {
    const { outcome, error } = await startPlayback(this.video);
    if (this.over) return;
    if (outcome === 'muted-by-policy') this.emit('autoplayblocked', {});
    if (outcome === 'failed') this.warn(new PlayerError('media-error', `the video does not play: ${error?.message ?? 'unknown'}`));
  }

  private onFirstFrame(): void {
    if (this.over) return;
    clearTimeout(this.timer);
    this.emit('firstframe', {});
  }

  /** A hidden page presents no frames, so the clock only runs out on a visible one. */
  private armFirstFrameTimer(): void {
    const { firstFrameMs } = this.timeouts;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.video.ownerDocument.visibilityState === 'hidden') return this.armFirstFrameTimer();
      this.finish(new PlayerError(failureCodeOf(this.kind), `no video frame within ${firstFrameMs} ms`));
    }, firstFrameMs);
  }

  private armTimer(ms: number, code: PlayerError['code'], message: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.finish(new PlayerError(code, message)), ms);
  }

  private warn(error: PlayerError): void {
    if (!this.over) this.emit('warning', { error });
  }

  private finish(error: PlayerError, retryable = true): void {
    if (this.over) return;
    this.close();
    this.emit('failed', { error, retryable });
  }
}

function failureCodeOf(kind: TransportKind): PlayerError['code'] {
  switch (kind) {
    case 'webrtc':
      return 'webrtc-failed';
  }
}
