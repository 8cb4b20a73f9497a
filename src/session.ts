/**
 * PlayerSession: the player's state and decisions, without any DOM rendering. It runs playback
 * attempts, turns their outcomes into the public events, and reconnects with bounded backoff once
 * it has played.
 */

import { RECONNECT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';
import type { ConfigError, PlayerConfig } from './config.js';
import { PlayerError, type PlayerEventDetails, type PlayerState, type TransportChangeDetail } from './events.js';
import { DEFAULT_TIMEOUTS, PlaybackAttempt, type AttemptTimeouts } from './playback-attempt.js';
import type { TransportKind } from './protocol.js';
import { routesOf, type Route } from './routes.js';
import type { DebugLog, TransportStats } from './transports/transport.js';
import { TypedEmitter } from './typed-emitter.js';

export interface PlayerSessionOptions {
  config: PlayerConfig;
  /** Problems found while reading the attributes; reported as `error` events on `connect()`. */
  configErrors?: readonly ConfigError[];
  video: HTMLVideoElement;
  backoff?: BackoffPolicy;
  timeouts?: Partial<AttemptTimeouts>;
}

/** What `getStats()` returns: where the player is, and what its media path knows about its delay. */
export interface PlayerStats extends TransportStats {
  state: PlayerState;
  transport: TransportKind | null;
}

export class PlayerSession extends TypedEmitter<PlayerEventDetails> {
  private currentState: PlayerState = 'idle';
  private currentTransport: TransportKind | null = null;
  private attempt: PlaybackAttempt | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnects = 0;
  private hasPlayed = false;
  /** The route that played last: reconnects start there rather than waiting again for one that failed. */
  private playedRoute = 0;
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
    const routes = routesOf(this.config);
    if (routes.length === 0) {
      const missing = this.config.src ? 'no transport' : 'src (or mse-src with the mse transport) is not set';
      return this.fail(new PlayerError('invalid-attribute', `nothing to play: ${missing}`));
    }
    this.reconnects = 0;
    this.hasPlayed = false;
    this.playedRoute = 0;
    this.connectedAt = performance.now();
    this.setState('connecting');
    this.startAttempt(routes, 0);
  }

  stats(): PlayerStats {
    return { state: this.currentState, transport: this.currentTransport, ...this.attempt?.stats() };
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

  /** Tries `routes[index]`; when it fails before its first frame, the next route takes over at once. */
  private startAttempt(routes: Route[], index: number, cause?: TransportChangeDetail['cause']): void {
    const route = routes[index]!;
    const attempt = new PlaybackAttempt(route, this.config, this.video, this.timeouts, this.log);
    this.attempt = attempt;
    let played = false;
    attempt.on('transport', ({ kind }) => this.setTransport(kind, cause ? 'failed' : 'first-choice', cause));
    attempt.on('autoplayblocked', () => this.emit('autoplayblocked', {}));
    attempt.on('problem', ({ error }) => this.emitError(error, false));
    attempt.on('warning', (warning) => this.emit('warning', warning));
    attempt.on('firstframe', () => {
      played = true;
      this.playedRoute = index;
      this.onFirstFrame(route.kind);
    });
    attempt.on('failed', ({ error, retryable }) => {
      if (this.attempt !== attempt) return;
      this.attempt = undefined;
      this.log(`${route.kind} via ${route.url} failed: ${error.code} ${error.message}`);
      if (!played && index + 1 < routes.length) {
        return this.startAttempt(routes, index + 1, { transport: route.kind, code: error.code, message: error.message });
      }
      if (this.hasPlayed && retryable) this.scheduleReconnect(routes, error);
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

  private scheduleReconnect(routes: Route[], cause: PlayerError): void {
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
    this.reconnectTimer = setTimeout(() => this.startAttempt(routes, this.playedRoute), delay);
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

  private setTransport(transport: TransportKind | null, reason: TransportChangeDetail['reason'], cause?: TransportChangeDetail['cause']): void {
    if (this.currentTransport === transport) return;
    this.currentTransport = transport;
    this.emit('transportchange', cause ? { transport, reason, cause } : { transport, reason });
  }

  private emitError(error: PlayerError, fatal: boolean): void {
    this.log(`error ${error.code}${fatal ? ' (fatal)' : ''}: ${error.message}`);
    this.emit('error', { code: error.code, message: error.message, fatal });
  }
}
