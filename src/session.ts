/**
 * PlayerSession: the player's state and decisions, without any DOM rendering. It runs playback
 * attempts, turns their outcomes into the public events, and reconnects with bounded backoff once
 * it has played.
 */

import { RECONNECT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';
import type { ConfigError, PlayerConfig } from './config.js';
import { PlayerError, type PlayerEventDetails, type PlayerState, type TransportChangeReason } from './events.js';
import { DEFAULT_TIMEOUTS, PlaybackAttempt, type AttemptTimeouts } from './playback-attempt.js';
import type { TransportKind } from './protocol.js';
import type { DebugLog } from './transports/transport.js';
import { TypedEmitter } from './typed-emitter.js';

export interface PlayerSessionOptions {
  config: PlayerConfig;
  /** Problems found while reading the attributes; reported as `error` events on `connect()`. */
  configErrors?: readonly ConfigError[];
  video: HTMLVideoElement;
  backoff?: BackoffPolicy;
  timeouts?: Partial<AttemptTimeouts>;
}

export class PlayerSession extends TypedEmitter<PlayerEventDetails> {
  private currentState: PlayerState = 'idle';
  private currentTransport: TransportKind | null = null;
  private attempt: PlaybackAttempt | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnects = 0;
  private hasPlayed = false;
  private connectedAt = 0;
  private readonly config: PlayerConfig;
  private readonly video: HTMLVideoElement;
  private readonly backoff: BackoffPolicy;
  private readonly timeouts: AttemptTimeouts;
  private readonly log: DebugLog;

  constructor(private readonly options: PlayerSessionOptions) {
    super();
    this.config = options.config;
    this.video = options.video;
    this.backoff = options.backoff ?? RECONNECT_BACKOFF;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.log = this.config.debug ? (message) => console.debug('[avatar-player]', message) : () => undefined;
  }

  get state(): PlayerState {
    return this.currentState;
  }

  /** The media path in use, or null. */
  get transport(): TransportKind | null {
    return this.currentTransport;
  }

  /** Starts playing; does nothing while already connecting, playing or reconnecting. Never throws. */
  connect(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'failed') return;
    this.video.muted = this.config.muted;
    const fatal = this.reportConfigErrors();
    if (fatal) return this.fail(fatal);
    const src = this.config.src;
    if (!src) return this.fail(new PlayerError('invalid-attribute', 'src is not set'));
    this.reconnects = 0;
    this.hasPlayed = false;
    this.connectedAt = performance.now();
    this.setState('connecting');
    this.startAttempt(src);
  }

  /** Closes the socket and the media path; idempotent. */
  disconnect(): void {
    this.stop(true);
    this.setState('idle');
  }

  /** Turns the sound off or on; unmuting should come from a user gesture (the unmute button). */
  setMuted(muted: boolean): void {
    this.video.muted = muted;
    if (muted || !this.video.paused) return;
    this.video.play().catch((error: unknown) => this.emitError(new PlayerError('media-error', `playback refused: ${String(error)}`), false));
  }

  private startAttempt(src: string): void {
    const kind = this.config.transports[0];
    if (!kind) return this.fail(new PlayerError('invalid-attribute', 'no transport to use'));
    const attempt = new PlaybackAttempt(src, kind, this.config, this.video, this.timeouts, this.log);
    this.attempt = attempt;
    attempt.on('transport', ({ kind: chosen }) => this.setTransport(chosen, 'first-choice'));
    attempt.on('autoplayblocked', () => this.emit('autoplayblocked', {}));
    attempt.on('warning', ({ error }) => this.emitError(error, false));
    attempt.on('firstframe', () => this.onFirstFrame(kind));
    attempt.on('failed', ({ error, retryable }) => {
      if (this.attempt !== attempt) return;
      this.attempt = undefined;
      if (this.hasPlayed && retryable) this.scheduleReconnect(src, error);
      else this.fail(error);
    });
    attempt.start();
  }

  private onFirstFrame(kind: TransportKind): void {
    this.reconnects = 0;
    const first = !this.hasPlayed;
    this.hasPlayed = true;
    this.setState('playing');
    if (first) this.emit('firstframe', { transport: kind, elapsedMs: Math.round(performance.now() - this.connectedAt) });
  }

  private scheduleReconnect(src: string, cause: PlayerError): void {
    this.reconnects++;
    const delay = backoffDelay(this.reconnects, this.backoff);
    if (delay === null) {
      return this.fail(new PlayerError(cause.code, `gave up after ${this.backoff.maxAttempts} reconnect attempts: ${cause.message}`));
    }
    if (this.currentState !== 'reconnecting') {
      this.setState('reconnecting');
      this.emitError(cause, false);
    }
    this.log(`reconnect ${this.reconnects}/${this.backoff.maxAttempts} in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.startAttempt(src), delay);
  }

  /** Returns the first fatal config error after reporting all of them. */
  private reportConfigErrors(): PlayerError | undefined {
    let fatal: PlayerError | undefined;
    for (const error of this.options.configErrors ?? []) {
      const playerError = new PlayerError(error.code, `${error.attribute}: ${error.message}`);
      if (error.fatal) fatal ??= playerError;
      else this.emitError(playerError, false);
    }
    return fatal;
  }

  private fail(error: PlayerError): void {
    this.stop(false);
    this.setState('failed');
    this.emitError(error, true);
  }

  private stop(sayBye: boolean): void {
    clearTimeout(this.reconnectTimer);
    this.attempt?.close(sayBye);
    this.attempt = undefined;
    this.setTransport(null, 'stopped');
  }

  private setState(state: PlayerState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.log(`state ${previous} → ${state}`);
    this.emit('statechange', { state, previous });
  }

  private setTransport(transport: TransportKind | null, reason: TransportChangeReason): void {
    if (this.currentTransport === transport) return;
    this.currentTransport = transport;
    this.emit('transportchange', { transport, reason });
  }

  private emitError(error: PlayerError, fatal: boolean): void {
    this.log(`error ${error.code}${fatal ? ' (fatal)' : ''}: ${error.message}`);
    this.emit('error', { code: error.code, message: error.message, fatal });
  }
}
