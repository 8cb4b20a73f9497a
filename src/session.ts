/**
 * PlayerSession: the player's state and decisions, without any DOM rendering. A TransportSelector
 * decides which media paths run and which one is on screen; the session runs their playback attempts
 * on the stage's videos, turns the outcome into the public events, remembers the winning path and
 * reconnects with bounded backoff once it has played.
 */

import { RECONNECT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';
import type { ConfigError, PlayerConfig } from './config.js';
import {
  PlayerError,
  type PlayerEventDetails,
  type PlayerState,
  type PlayerWarningDetail,
  type TransportChangeDetail,
  type TransportChangeReason,
} from './events.js';
import { DEFAULT_TIMEOUTS, PlaybackAttempt, type AttemptTimeouts } from './playback-attempt.js';
import { unknownStats, type PlayerStats } from './player-stats.js';
import type { TransportKind } from './protocol.js';
import { routesOf, type Route } from './routes.js';
import { ScreenSwitcher } from './screen-switcher.js';
import { idbTransportMemory, memoryKey, type TransportMemory } from './selection/transport-memory.js';
import {
  SELECTOR_DEFAULTS,
  TransportSelector,
  type RouteFailure,
  type SelectorAction,
  type SelectorEvent,
  type SelectorOptions,
  type SelectorTimer,
} from './selection/transport-selector.js';
import { LazyPlayoutMonitor } from './sync/lazy-playout-monitor.js';
import type { DebugLog } from './transports/transport.js';
import { TypedEmitter } from './typed-emitter.js';
import type { VideoStage } from './video-stage.js';

export interface PlayerSessionOptions {
  config: PlayerConfig;
  /** Problems found while reading the attributes; reported as `error` events on `connect()`. */
  configErrors?: readonly ConfigError[];
  stage: VideoStage;
  backoff?: BackoffPolicy;
  timeouts?: Partial<AttemptTimeouts>;
  /** Where the winning path is remembered; IndexedDB by default. */
  memory?: TransportMemory;
  selection?: Partial<Pick<SelectorOptions, 'reprobeDelaysMs' | 'takeoverAfterMs' | 'upgradeBackAfterMs'>>;
}

/** How long an upgrade may wait for a pause in speech before it switches anyway. */
const UPGRADE_PAUSE_WAIT_MS = 2_500;
const PAUSE_POLL_MS = 40;
/** Notices of a path off screen wait for it to come on screen; beyond this many they are only logged. */
const MAX_HELD_NOTICES = 8;
/** How often the `stats` event fires while connected. */
export const STATS_EVERY_MS = 1_000;

type Notice = { kind: 'error'; error: PlayerError } | { kind: 'warning'; warning: PlayerWarningDetail };

interface RunningAttempt {
  route: number;
  attempt: PlaybackAttempt;
  video: HTMLVideoElement;
  /** What the path reported while off screen: the page hears of it if the path comes on screen. */
  held: Notice[];
}

export class PlayerSession extends TypedEmitter<PlayerEventDetails> {
  private currentState: PlayerState = 'idle';
  private currentTransport: TransportKind | null = null;
  private currentReason: TransportChangeReason | undefined;
  private routes: Route[] = [];
  private selector: TransportSelector | undefined;
  private readonly running = new Map<number, RunningAttempt>();
  /** The attempt whose video is on screen; after it died, its frozen last frame is. */
  private onScreen: RunningAttempt | undefined;
  private readonly timers = new Map<SelectorTimer, ReturnType<typeof setTimeout>>();
  private readonly pendingEvents: SelectorEvent[] = [];
  private handlingEvents = false;
  /** Bumped by every start and stop: late answers (memory, timers) of an older round are ignored. */
  private round = 0;
  /** Routes the server refused for good (bad token, unsupported path): retrying them cannot help. */
  private readonly refusals = new Map<number, PlayerError>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnects = 0;
  private hasPlayed = false;
  private connectedAt = 0;
  private readonly config: PlayerConfig;
  private readonly screen: ScreenSwitcher;
  private readonly backoff: BackoffPolicy;
  private readonly timeouts: AttemptTimeouts;
  private readonly memory: TransportMemory;
  private readonly log: DebugLog;
  private readonly playout: LazyPlayoutMonitor;
  private statsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: PlayerSessionOptions) {
    super();
    this.config = options.config;
    this.screen = new ScreenSwitcher(options.stage, this.config.muted);
    this.backoff = options.backoff ?? RECONNECT_BACKOFF;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.memory = options.memory ?? idbTransportMemory();
    this.log = this.config.debug ? (message) => console.debug('[avatar-player]', message) : () => undefined;
    this.playout = new LazyPlayoutMonitor((type, detail) => this.emit(type, detail as PlayerEventDetails[typeof type]), this.log);
  }

  get state(): PlayerState {
    return this.currentState;
  }

  /** The media path on screen, or null. */
  get transport(): TransportKind | null {
    return this.currentTransport;
  }

  /** Starts playing; does nothing while already connecting, playing or reconnecting. Never throws. */
  connect(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'failed') return;
    const fatal = this.reportConfigErrors();
    if (fatal) return this.fail(fatal);
    this.routes = routesOf(this.config);
    if (this.routes.length === 0) {
      const missing = this.config.src || this.config.whep ? 'no transport' : 'src (or whep, or mse-src with the mse transport) is not set';
      return this.fail(new PlayerError('invalid-attribute', `nothing to play: ${missing}`));
    }
    this.reconnects = 0;
    this.hasPlayed = false;
    this.connectedAt = performance.now();
    this.setState('connecting');
    this.playout.load();
    this.statsTimer ??= setInterval(() => this.emit('stats', this.stats()), STATS_EVERY_MS);
    const round = ++this.round;
    void this.recall().then((kind) => {
      if (round !== this.round) return;
      const remembered = this.routes.findIndex((route) => route.kind === kind);
      this.log(`remembered path: ${kind ?? 'none'}`);
      this.select(remembered >= 0 ? remembered : undefined);
    });
  }

  stats(): PlayerStats {
    const live = this.onScreen && this.running.get(this.onScreen.route) === this.onScreen ? this.onScreen : undefined;
    if (!live) return unknownStats(this.currentState, this.currentTransport);
    const path = live.attempt.stats();
    return {
      ...unknownStats(this.currentState, this.currentTransport),
      ...this.playout.figures(),
      bufferMs: roundedOrNull(path.bufferMs),
      jitterDepthMs: roundedOrNull(path.jitterDepthMs),
      targetBufferMs: roundedOrNull(path.targetBufferMs),
      playbackRate: path.playbackRate ?? null,
      bitrateKbps: path.bitrateKbps ?? null,
      packetLoss: path.packetLoss ?? null,
      webrtcPath: path.webrtcPath ?? null,
    };
  }

  /** Closes the sockets and the media paths; idempotent. */
  disconnect(): void {
    this.stop(true);
    this.stopStats();
    this.setState('idle');
  }

  /** Turns the sound off or on; unmuting should come from a user gesture (the unmute button). */
  setMuted(muted: boolean): void {
    this.screen.setMuted(muted).catch((error: unknown) => this.emitError(new PlayerError('media-error', `playback refused: ${String(error)}`), false));
  }

  private select(remembered: number | undefined): void {
    this.refusals.clear();
    this.selector = new TransportSelector({
      ...SELECTOR_DEFAULTS,
      ...this.options.selection,
      routeCount: this.routes.length,
      slots: this.screen.videos.length,
      remembered,
    });
    this.feed({ type: 'start' });
  }

  /** Events are handled one at a time, in order, even when an action causes another event at once. */
  private feed(event: SelectorEvent): void {
    this.pendingEvents.push(event);
    if (this.handlingEvents) return;
    this.handlingEvents = true;
    try {
      for (let next = this.pendingEvents.shift(); next; next = this.pendingEvents.shift()) {
        for (const action of this.selector?.handle(next) ?? []) this.apply(action);
      }
    } finally {
      this.handlingEvents = false;
    }
  }

  private apply(action: SelectorAction): void {
    switch (action.type) {
      case 'launch':
        return this.launch(action.route);
      case 'cancel':
        return this.cancel(action.route);
      case 'show':
        return this.show(action.route, action.reason, action.cause);
      case 'remember':
        if (this.routes.length > 1) void this.memory.remember(this.memoryKey(), this.routes[action.route]!.kind);
        return;
      case 'arm':
        return this.arm(action.timer, action.ms);
      case 'disarm':
        clearTimeout(this.timers.get(action.timer));
        return void this.timers.delete(action.timer);
      case 'exhausted':
        return this.onExhausted(action.failure);
    }
  }

  /** Starts the route on a video behind the one on screen, muted until it is brought to the front. */
  private launch(route: number): void {
    const busy = new Set([...this.running.values()].map(({ video }) => video));
    const video = this.screen.freeVideo(busy);
    if (!video) return this.log(`no free video for ${this.describe(route)}`);
    video.muted = true;
    const attempt = new PlaybackAttempt(this.routes[route]!, this.config, video, this.timeouts, this.log);
    const entry: RunningAttempt = { route, attempt, video, held: [] };
    this.running.set(route, entry);
    this.log(`launch ${this.describe(route)}`);
    const isCurrent = () => this.running.get(route) === entry;
    attempt.on('firstframe', () => this.atAPause(entry, () => isCurrent() && this.feed({ type: 'frame', route })));
    attempt.on('restored', () => this.atAPause(entry, () => isCurrent() && this.feed({ type: 'restored', route })));
    attempt.on('degraded', ({ reason, message }) => {
      this.log(`${this.describe(route)} degraded (${reason}): ${message}`);
      this.feed({ type: 'degraded', route, reason });
    });
    attempt.on('problem', ({ error }) => this.notice(entry, { kind: 'error', error }));
    attempt.on('warning', (warning) => this.notice(entry, { kind: 'warning', warning }));
    attempt.on('failed', ({ error, retryable }) => this.onAttemptFailed(entry, error, retryable));
    attempt.on('cue', (cue) => this.playout.addCue(cue));
    attempt.start();
  }

  /**
   * Runs `then` at once, unless `entry` would take over from a better path on screen that is in the
   * middle of a word: an upgrade waits (a bounded time) for a pause in speech, so that no word is cut
   * or heard twice.
   */
  private atAPause(entry: RunningAttempt, then: () => void): void {
    const deadline = performance.now() + UPGRADE_PAUSE_WAIT_MS;
    const check = () => {
      const front = this.onScreen;
      const live = front && this.running.get(front.route) === front;
      const speaking = live && front.route > entry.route && front.attempt.quietNow() === false;
      if (speaking && performance.now() < deadline) setTimeout(check, PAUSE_POLL_MS);
      else then();
    };
    check();
  }

  private cancel(route: number): void {
    const entry = this.running.get(route);
    if (!entry) return;
    this.running.delete(route);
    this.log(`cancel ${this.describe(route)}`);
    entry.attempt.close(true);
  }

  private show(route: number, reason: TransportChangeReason, cause: RouteFailure | undefined): void {
    const entry = this.running.get(route);
    if (!entry) return;
    if (this.onScreen !== entry) {
      this.onScreen = entry;
      this.playout.watch(entry.video, entry.attempt.playoutSource());
      void this.screen.bringOn(entry.video).then((result) => {
        if (result?.outcome === 'muted-by-policy') this.emit('autoplayblocked', {});
        if (result?.outcome === 'failed') this.emitError(new PlayerError('media-error', `the video does not play: ${result.error?.message ?? 'unknown'}`), false);
      });
      for (const notice of entry.held.splice(0)) this.emitNotice(notice);
    }
    const kind = this.routes[route]!.kind;
    this.setTransport(kind, reason, cause && { transport: this.routes[cause.route]!.kind, code: cause.code, message: cause.message });
    this.onPlaying(kind);
  }

  private notice(entry: RunningAttempt, notice: Notice): void {
    if (this.onScreen === entry) return this.emitNotice(notice);
    const what = notice.kind === 'error' ? `${notice.error.code}: ${notice.error.message}` : `${notice.warning.code}: ${notice.warning.message}`;
    this.log(`${this.describe(entry.route)}, off screen: ${what}`);
    if (entry.held.length < MAX_HELD_NOTICES) entry.held.push(notice);
  }

  private emitNotice(notice: Notice): void {
    if (notice.kind === 'error') this.emitError(notice.error, false);
    else this.emit('warning', notice.warning);
  }

  private onAttemptFailed(entry: RunningAttempt, error: PlayerError, retryable: boolean): void {
    if (this.running.get(entry.route) !== entry) return;
    this.running.delete(entry.route);
    this.log(`${this.describe(entry.route)} failed (${error.reason ?? 'failed'}): ${error.code} ${error.message}`);
    if (!retryable) this.refusals.set(entry.route, error);
    const wasOnScreen = this.onScreen === entry;
    if (wasOnScreen) this.screen.freezeFront();
    this.feed({ type: 'failed', failure: { route: entry.route, reason: error.reason ?? 'failed', code: error.code, message: error.message } });
    // Nothing took over at once: the last frame stays up while the next path starts.
    if (wasOnScreen && this.onScreen === entry && this.currentState === 'playing') {
      this.setState('reconnecting');
      this.emitError(error, false);
    }
  }

  /** Every path failed. Retrying helps unless the one that ended the round was refused for good. */
  private onExhausted(failure: RouteFailure): void {
    this.selector = undefined;
    this.clearTimers();
    const error = new PlayerError(failure.code, failure.message, failure.reason);
    const refusal = this.refusals.get(failure.route);
    if (this.hasPlayed && !refusal) this.scheduleReconnect(error);
    else this.fail(refusal ?? error);
  }

  private onPlaying(kind: TransportKind): void {
    this.reconnects = 0;
    const first = !this.hasPlayed;
    this.hasPlayed = true;
    this.setState('playing');
    if (first) this.emit('firstframe', { transport: kind, elapsedMs: Math.round(performance.now() - this.connectedAt) });
  }

  private scheduleReconnect(cause: PlayerError): void {
    this.reconnects++;
    const delay = backoffDelay(this.reconnects, this.backoff);
    if (delay === null) {
      return this.fail(new PlayerError(cause.code, `gave up after ${this.backoff.maxAttempts} reconnect attempts: ${cause.message}`, cause.reason));
    }
    if (this.currentState !== 'reconnecting') {
      this.setState('reconnecting');
      this.emitError(cause, false);
    }
    this.log(`reconnect ${this.reconnects}/${this.backoff.maxAttempts} in ${delay} ms`);
    const round = ++this.round;
    // Starts on the path that played last rather than waiting again for one that failed.
    const lastPlayed = this.onScreen?.route;
    this.reconnectTimer = setTimeout(() => round === this.round && this.select(lastPlayed), delay);
  }

  private arm(timer: SelectorTimer, ms: number): void {
    clearTimeout(this.timers.get(timer));
    const round = this.round;
    this.timers.set(
      timer,
      setTimeout(() => {
        this.timers.delete(timer);
        if (round === this.round) this.feed({ type: 'timer', timer });
      }, ms),
    );
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
    this.stopStats();
    this.setState('failed');
    this.emitError(error, true);
  }

  private stop(sayBye: boolean): void {
    this.round++;
    this.selector = undefined;
    this.pendingEvents.length = 0;
    clearTimeout(this.reconnectTimer);
    this.clearTimers();
    for (const { attempt } of this.running.values()) attempt.close(sayBye);
    this.running.clear();
    this.onScreen = undefined;
    this.playout.stop();
    this.screen.clear();
    this.setTransport(null, 'stopped');
  }

  private stopStats(): void {
    clearInterval(this.statsTimer);
    this.statsTimer = undefined;
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** With one path there is nothing to choose, so nothing to remember either. */
  private async recall(): Promise<TransportKind | undefined> {
    return this.routes.length > 1 ? this.memory.recall(this.memoryKey()) : undefined;
  }

  private memoryKey(): string {
    return memoryKey(this.routes.map((route) => route.url));
  }

  private describe(route: number): string {
    const { kind, url } = this.routes[route]!;
    return `${kind} via ${url}`;
  }

  private setState(state: PlayerState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.log(`state ${previous} → ${state}`);
    this.emit('statechange', { state, previous });
  }

  /** The same path is announced again when the reason for it changes (MSE won the race, then WebRTC was found blocked). */
  private setTransport(transport: TransportKind | null, reason: TransportChangeReason, cause?: TransportChangeDetail['cause']): void {
    if (this.currentTransport === transport && (transport === null || this.currentReason === reason)) return;
    this.currentTransport = transport;
    this.currentReason = reason;
    this.log(`transport ${transport ?? 'none'} (${reason})`);
    this.emit('transportchange', cause ? { transport, reason, cause } : { transport, reason });
  }

  private emitError(error: PlayerError, fatal: boolean): void {
    this.log(`error ${error.code}${fatal ? ' (fatal)' : ''}: ${error.message}`);
    this.emit('error', { code: error.code, message: error.message, fatal });
  }
}

function roundedOrNull(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}
