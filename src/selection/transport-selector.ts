/**
 * Which media path plays, as a pure state machine: events in (a path showed its first frame, failed,
 * got into trouble, a timer fired), actions out (launch or cancel a path, show one, remember it).
 * Routes are indices in preference order: 0 is the best. The session carries the actions out.
 *
 * The policy, in short: race the best paths at once (the first frame wins the screen) and let a better
 * one take over when it comes up. A remembered worse path (MSE, because WebRTC was blocked) starts
 * alone, at once, and the better one is re-probed later; a remembered best path races as on a first
 * visit, since MSE's first frame is the faster one. When the path on screen gets into trouble, another
 * is warmed up behind it and takes over if the trouble lasts; the better path comes back once it has
 * been well for a while. Both waits keep a lossy link from flapping between paths.
 */

import type { PlayerErrorCode, TransportChangeReason, TransportFailureReason } from '../events.js';

export interface RouteFailure {
  route: number;
  reason: TransportFailureReason;
  code: PlayerErrorCode;
  message: string;
}

export type SelectorTimer = 'reprobe' | 'takeover' | 'upgrade-back';

export type SelectorEvent =
  | { type: 'start' }
  | { type: 'frame'; route: number }
  | { type: 'failed'; failure: RouteFailure }
  | { type: 'degraded'; route: number; reason: TransportFailureReason }
  | { type: 'restored'; route: number }
  | { type: 'timer'; timer: SelectorTimer };

export type SelectorAction =
  /** Start a playback attempt on the route, off screen. */
  | { type: 'launch'; route: number }
  /** Close the route's attempt. */
  | { type: 'cancel'; route: number }
  /** Put the route's video on screen (or, for the route already there, say why it stays). */
  | { type: 'show'; route: number; reason: TransportChangeReason; cause?: RouteFailure }
  /** Store the route as the one to start on next time. */
  | { type: 'remember'; route: number }
  | { type: 'arm'; timer: SelectorTimer; ms: number }
  | { type: 'disarm'; timer: SelectorTimer }
  /** Every route failed: nothing plays. */
  | { type: 'exhausted'; failure: RouteFailure };

export interface SelectorOptions {
  /** How many routes there are. */
  routeCount: number;
  /** The route that played last time, when that memory is still fresh. */
  remembered?: number;
  /** How many attempts may run at once (one video element each). */
  slots: number;
  /** Delays before each background re-probe of a better route; none once they are used up. */
  reprobeDelaysMs: readonly number[];
  /** How long the route on screen may be in trouble before a warm standby takes over. */
  takeoverAfterMs: number;
  /** How long a better route must be well again before it takes the screen back. */
  upgradeBackAfterMs: number;
}

export const SELECTOR_DEFAULTS = {
  slots: 2,
  reprobeDelaysMs: [3_000, 30_000, 120_000],
  takeoverAfterMs: 1_500,
  upgradeBackAfterMs: 5_000,
} as const;

interface Running {
  framed: boolean;
  /** Between `degraded` and `restored`. */
  troubled: boolean;
}

interface FrontTrouble {
  reason: TransportFailureReason;
  /** Set when the route on screen failed for good. */
  failure?: RouteFailure;
  /** True once the trouble outlasted `takeoverAfterMs` (or the route failed): a standby may take over. */
  lasting: boolean;
}

export class TransportSelector {
  private readonly running = new Map<number, Running>();
  /** Routes that failed since they last launched: not relaunched except by a re-probe. */
  private readonly failed = new Set<number>();
  private shown: number | undefined;
  /** Why the route on screen is in trouble (or dead), if it is. */
  private frontTrouble: FrontTrouble | undefined;
  private lastFailure: RouteFailure | undefined;
  private launchedAtOnce = 0;
  private probes = 0;
  private actions: SelectorAction[] = [];

  constructor(private readonly options: SelectorOptions) {}

  /** The route on screen, if any. */
  get onScreen(): number | undefined {
    return this.shown;
  }

  handle(event: SelectorEvent): SelectorAction[] {
    this.actions = [];
    switch (event.type) {
      case 'start':
        this.start();
        break;
      case 'frame':
        this.onFrame(event.route);
        break;
      case 'failed':
        this.onFailed(event.failure);
        break;
      case 'degraded':
        this.onDegraded(event.route, event.reason);
        break;
      case 'restored':
        this.onRestored(event.route);
        break;
      case 'timer':
        this.onTimer(event.timer);
        break;
    }
    return this.actions;
  }

  private start(): void {
    const { remembered } = this.options;
    if (remembered === undefined || remembered === 0) {
      this.launchedAtOnce = this.fillSlots();
      return;
    }
    this.launch(remembered);
    this.launchedAtOnce = 1;
  }

  private onFrame(route: number): void {
    const entry = this.running.get(route);
    if (!entry || entry.framed) return;
    entry.framed = true;
    if (this.shown === undefined) return this.showFirst(route);
    if (route < this.shown || this.frontTrouble?.lasting) return this.takeOver(route);
    // A warm standby waits for the trouble to last; a slower racer lost to a path that is fine.
    if (!this.frontTrouble) this.cancel(route);
  }

  private showFirst(route: number): void {
    this.show(route, this.firstReason(route), this.lastFailure);
    this.cancelWorseThan(route);
    this.afterShow(route);
  }

  /** A better route came up, or any route while the one on screen is in trouble. */
  private takeOver(route: number): void {
    const previous = this.shown!;
    const upgrade = route < previous;
    const trouble = this.frontTrouble;
    this.frontTrouble = undefined;
    this.act({ type: 'disarm', timer: 'takeover' });
    this.act({ type: 'disarm', timer: 'upgrade-back' });
    if (upgrade) this.show(route, 'upgrade');
    else this.show(route, trouble?.reason ?? 'failed', trouble?.failure);
    // A better route in trouble keeps trying in the background: it takes over again when it recovers.
    if (upgrade) this.cancel(previous);
    this.cancelWorseThan(route);
    this.afterShow(route);
  }

  private onFailed(failure: RouteFailure): void {
    const { route } = failure;
    if (!this.running.delete(route)) return;
    this.failed.add(route);
    this.lastFailure = failure;
    if (route === this.shown) return this.onFrontFailed(failure);
    if (this.shown === undefined || !this.running.has(this.shown)) return this.keepTrying(failure);
    if (route < this.shown && !this.betterRunning(this.shown)) {
      // The better path is out of the race: the path on screen is the answer, and this is why.
      this.show(this.shown, failure.reason, failure);
      this.act({ type: 'remember', route: this.shown });
      this.armReprobe();
    }
  }

  /** The route on screen died: its last frame stays until another route shows one. */
  private onFrontFailed(failure: RouteFailure): void {
    this.frontTrouble = { reason: failure.reason, failure, lasting: true };
    const framed = [...this.running].find(([, entry]) => entry.framed);
    if (framed) return this.takeOver(framed[0]);
    this.keepTrying(failure);
  }

  private keepTrying(failure: RouteFailure): void {
    if (this.running.size > 0) return;
    if (this.fillSlots() === 0) this.act({ type: 'exhausted', failure });
  }

  private onDegraded(route: number, reason: TransportFailureReason): void {
    const entry = this.running.get(route);
    if (!entry) return;
    entry.troubled = true;
    if (route !== this.shown) return this.act({ type: 'disarm', timer: 'upgrade-back' });
    if (this.frontTrouble) return;
    this.frontTrouble = { reason, lasting: false };
    this.fillSlots();
    this.act({ type: 'arm', timer: 'takeover', ms: this.options.takeoverAfterMs });
  }

  private onRestored(route: number): void {
    const entry = this.running.get(route);
    if (!entry) return;
    entry.troubled = false;
    if (route === this.shown) {
      this.frontTrouble = undefined;
      this.act({ type: 'disarm', timer: 'takeover' });
      this.cancelWorseThan(route);
      return;
    }
    // A better route that had been in trouble plays again: it takes the screen back once that holds.
    if (entry.framed && this.shown !== undefined && route < this.shown) {
      this.act({ type: 'arm', timer: 'upgrade-back', ms: this.options.upgradeBackAfterMs });
    }
  }

  private onTimer(timer: SelectorTimer): void {
    switch (timer) {
      case 'reprobe':
        return this.reprobe();
      case 'takeover':
        return this.onLastingTrouble();
      case 'upgrade-back':
        return this.upgradeBack();
    }
  }

  private onLastingTrouble(): void {
    if (!this.frontTrouble) return;
    this.frontTrouble.lasting = true;
    const standby = [...this.running].find(([route, entry]) => route !== this.shown && entry.framed);
    if (standby) this.takeOver(standby[0]);
  }

  private upgradeBack(): void {
    if (this.shown === undefined) return;
    const shown = this.shown;
    const better = [...this.running].find(([route, entry]) => route < shown && entry.framed && !entry.troubled);
    if (better) this.takeOver(better[0]);
  }

  /** Relaunches the routes better than the one on screen, failed ones included. */
  private reprobe(): void {
    if (this.shown === undefined) return;
    for (let route = 0; route < this.shown && this.running.size < this.options.slots; route++) {
      if (this.running.has(route)) continue;
      this.failed.delete(route);
      this.launch(route);
    }
  }

  private afterShow(route: number): void {
    if (!this.betterRunning(route)) this.act({ type: 'remember', route });
    if (route > 0 && !this.betterRunning(route)) this.armReprobe();
    else this.act({ type: 'disarm', timer: 'reprobe' });
  }

  private armReprobe(): void {
    const ms = this.options.reprobeDelaysMs[this.probes];
    if (ms === undefined) return;
    this.probes++;
    this.act({ type: 'arm', timer: 'reprobe', ms });
  }

  private firstReason(route: number): TransportChangeReason {
    if (route === this.options.remembered) return 'remembered';
    if (this.lastFailure && this.lastFailure.route < route) return this.lastFailure.reason;
    return this.launchedAtOnce > 1 ? 'race-won' : 'first-choice';
  }

  /** Launches the best routes that are neither running nor failed, while slots are free; returns how many. */
  private fillSlots(): number {
    let launched = 0;
    for (let route = 0; route < this.options.routeCount && this.usedSlots() < this.options.slots; route++) {
      if (this.running.has(route) || this.failed.has(route) || route === this.shown) continue;
      this.launch(route);
      launched++;
    }
    return launched;
  }

  /** The route on screen holds its video even when dead: its last frame stays up. */
  private usedSlots(): number {
    const frontHeld = this.shown !== undefined && !this.running.has(this.shown) ? 1 : 0;
    return this.running.size + frontHeld;
  }

  private betterRunning(route: number): boolean {
    return [...this.running.keys()].some((other) => other < route);
  }

  private cancelWorseThan(route: number): void {
    for (const other of [...this.running.keys()]) if (other > route) this.cancel(other);
  }

  private launch(route: number): void {
    this.running.set(route, { framed: false, troubled: false });
    this.act({ type: 'launch', route });
  }

  private cancel(route: number): void {
    if (this.running.delete(route)) this.act({ type: 'cancel', route });
  }

  private show(route: number, reason: TransportChangeReason, cause?: RouteFailure): void {
    this.shown = route;
    this.act(cause ? { type: 'show', route, reason, cause } : { type: 'show', route, reason });
  }

  private act(action: SelectorAction): void {
    this.actions.push(action);
  }
}
