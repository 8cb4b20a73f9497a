import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { parseConfig, type AttributeValues } from '../../src/config.js';
import { PLAYER_EVENT_NAMES, type PlayerEventDetails, type PlayerEventName, type PlayerState } from '../../src/events.js';
import type { IceServer, TransportKind } from '../../src/protocol.js';
import { unknownStats, type PlayerStats } from '../../src/player-stats.js';
import { PlayerSession } from '../../src/session.js';
import type { AvatarPlayerEventMap } from './avatar-player.events.js';
import { styles } from './avatar-player.styles.js';
import { captionsOverlay } from './captions-overlay.js';
import { ShadowVideoStage } from './shadow-video-stage.js';
import type { statsOverlay } from './stats-overlay.js';

/** Properties whose change means a new session (when one is wanted). */
const SESSION_PROPERTIES = ['src', 'whep', 'mseSrc', 'transports', 'iceServers', 'iceTransportPolicy', 'latency', 'token', 'debug'] as const;

/** HTML boolean attribute, except that "false" also means false (so that autoplay="false" reads naturally). */
function booleanAttribute(whenAbsent: boolean) {
  return { fromAttribute: (value: string | null) => (value === null ? whenAbsent : value.trim().toLowerCase() !== 'false') };
}

/**
 * A real-time talking-avatar player: connects to an avatar server and plays its stream.
 *
 * @event statechange - `{ state, previous }`: the player's state changed.
 * @event transportchange - `{ transport, reason, cause? }`: the media path on screen changed (null: none), or the
 *   reason for it did (e.g. MSE won the race, then WebRTC was found blocked: `udp-blocked`).
 * @event firstframe - `{ transport, elapsedMs }`: the first video frame after `connect()` is on screen (once per connect).
 * @event error - `{ code, message, fatal }`: something went wrong; `fatal` means the player gave up. Does not bubble.
 * @event warning - `{ code, message }`: playback goes on, but something costs latency or quality (e.g. B-frames).
 * @event autoplayblocked - `{}`: sound was refused without a user gesture; the video plays muted.
 * @event speechstart - `{ pts, clip?, late }`: the avatar starts speaking: the frame where its mouth starts moving is on screen.
 * @event speechend - `{ pts, clip?, late }`: the avatar stopped speaking: the frame where its mouth stops is on screen.
 * @event caption - `{ text, pts }`: the caption on screen changed (`text` null: none).
 * @event cue - `{ id, kind, pts, end?, text?, data?, clip?, late }`: any cue of the stream, on its frame (`app`: the backend's own).
 * @event stats - what `getStats()` returns, about once a second while connected.
 *
 * @csspart video - The `<video>` elements (two, stacked: the one on screen has `data-role="front"`).
 * @csspart frozen-frame - The last frame of a media path that died, shown until the next path has a frame.
 * @csspart unmute-button - The button shown when autoplay with sound was refused.
 * @csspart captions - The caption box (with the `captions` attribute); @csspart caption - its text.
 * @csspart stats - The figures of `getStats()` (with the `stats` attribute).
 *
 * @cssproperty --avatar-player-background - Background behind the video.
 * @cssproperty --avatar-player-object-fit - How the video fits the element (default `contain`).
 * @cssproperty --avatar-player-captions-bottom - Distance of the captions from the bottom (default 8%).
 */
export class AvatarPlayer extends LitElement {
  static override styles = styles;

  static override properties = {
    src: {},
    whep: {},
    mseSrc: { attribute: 'mse-src' },
    transports: {},
    iceServers: { attribute: 'ice-servers' },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    latency: { type: Number },
    muted: { converter: booleanAttribute(false) },
    autoplay: { converter: booleanAttribute(true) },
    token: {},
    debug: { converter: booleanAttribute(false) },
    captions: { converter: booleanAttribute(false) },
    stats: { converter: booleanAttribute(false) },
    unmuteNeeded: { state: true },
    captionText: { state: true },
    shownStats: { state: true },
  };

  /** The avatar server's signaling WebSocket URL (ws: or wss:). */
  declare src: string | null | undefined;
  /** A WHEP endpoint (http: or https:, RFC 9725-style) for the webrtc path; used instead of `src` for WebRTC. */
  declare whep: string | null | undefined;
  /** A WebSocket carrying a plain fragmented-MP4 byte stream (ws: or wss:), played over MediaSource. */
  declare mseSrc: string | null | undefined;
  /** Media paths to use, in order, comma-separated (default "webrtc,mse"). */
  declare transports: string | null | undefined;
  /** ICE servers: a JSON array of RTCIceServer (attribute) or the array itself (property). */
  declare iceServers: string | IceServer[] | null | undefined;
  /** "all" (default) or "relay" (TURN only). */
  declare iceTransportPolicy: string | null | undefined;
  /** Target latency in ms. */
  declare latency: number | null | undefined;
  /** Starts without sound. */
  declare muted: boolean;
  /** Connects as soon as the element is on the page and has a src (default true; autoplay="false" to opt out). */
  declare autoplay: boolean;
  /** Access token sent to the server in `hello`. */
  declare token: string | null | undefined;
  /** Logs the player's decisions to the console. */
  declare debug: boolean;
  /** Shows the stream's captions over the video. */
  declare captions: boolean;
  /** Shows the figures of `getStats()` over the video. */
  declare stats: boolean;
  declare private unmuteNeeded: boolean;
  declare private captionText: string | null;
  declare private shownStats: PlayerStats | null;
  /** The stats overlay's code, loaded the first time the `stats` attribute is set. */
  private statsView: typeof statsOverlay | undefined;
  private statsViewLoading = false;

  private session: PlayerSession | undefined;
  private unsubscribers: (() => void)[] = [];
  /** connect()/disconnect() override autoplay; undefined: follow autoplay. */
  private wanted: boolean | undefined;

  constructor() {
    super();
    this.muted = false;
    this.autoplay = true;
    this.debug = false;
    this.captions = false;
    this.stats = false;
    this.unmuteNeeded = false;
    this.captionText = null;
    this.shownStats = null;
  }

  /** The player's state (reflected to the `state` attribute). */
  get state(): PlayerState {
    return this.session?.state ?? 'idle';
  }

  /** The media path in use, or null (reflected to the `transport` attribute). */
  get transport(): TransportKind | null {
    return this.session?.transport ?? null;
  }

  /** Latency, A/V offset, frame rate, buffer, bitrate and loss of the path on screen, right now. */
  getStats(): PlayerStats {
    return this.session?.stats() ?? unknownStats('idle', null);
  }

  /** Connects (again), whatever `autoplay` says. */
  connect(): void {
    this.wanted = true;
    if (this.session) this.session.connect();
    else if (this.hasUpdated && this.isConnected) this.startSession();
  }

  /** Closes the connection and the media path; idempotent. */
  disconnect(): void {
    this.wanted = false;
    this.stopSession();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.reflect('state', this.state);
    if (this.hasUpdated) this.restartSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopSession();
  }

  protected override render() {
    // Two videos: a new media path starts behind the one on screen and takes over once it has a frame.
    return html`<video part="video" playsinline data-role="front"></video><video part="video" playsinline data-role="back"></video
      ><canvas part="frozen-frame" hidden></canvas>${this.captions ? captionsOverlay(this.captionText) : nothing}${this.stats && this.shownStats
        ? (this.statsView?.(this.shownStats) ?? nothing)
        : nothing}${this.unmuteNeeded ? html`<button part="unmute-button" type="button" @click=${this.onUnmuteClick}>Unmute</button>` : nothing}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('muted')) this.session?.setMuted(this.muted);
    if (this.stats) this.loadStatsView();
    if (SESSION_PROPERTIES.some((name) => changed.has(name))) this.restartSession();
    else if (changed.has('autoplay') && !this.session) this.restartSession();
  }

  private loadStatsView(): void {
    if (this.statsViewLoading) return;
    this.statsViewLoading = true;
    import('./stats-overlay.js').then(
      ({ statsOverlay }) => {
        this.statsView = statsOverlay;
        this.requestUpdate();
      },
      () => (this.statsViewLoading = false), // tried again at the next update
    );
  }

  private restartSession(): void {
    this.stopSession();
    if (this.isConnected && (this.wanted ?? this.autoplay) && (this.src ?? this.whep ?? this.mseSrc) != null) this.startSession();
  }

  private startSession(): void {
    const videos = [...this.renderRoot.querySelectorAll('video')];
    const frozenFrame = this.renderRoot.querySelector('canvas');
    if (videos.length === 0 || !frozenFrame) return;
    const { config, errors } = parseConfig(this.attributeValues());
    const session = new PlayerSession({ config, configErrors: errors, stage: new ShadowVideoStage(videos, frozenFrame) });
    this.session = session;
    this.unsubscribers = PLAYER_EVENT_NAMES.map((name) => session.on(name, (detail) => this.relay(name, detail)));
    session.connect();
  }

  private stopSession(): void {
    this.session?.disconnect();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.session = undefined;
    this.unmuteNeeded = false;
    this.captionText = null;
    this.shownStats = null;
    this.reflect('state', this.state);
    this.reflect('transport', this.transport);
  }

  private relay<K extends PlayerEventName>(type: K, detail: PlayerEventDetails[K]): void {
    this.reflect('state', this.state);
    this.reflect('transport', this.transport);
    if (type === 'autoplayblocked') this.unmuteNeeded = true;
    if (type === 'caption') this.captionText = (detail as PlayerEventDetails['caption']).text;
    if (type === 'stats' && this.stats) this.shownStats = detail as PlayerStats;
    // `error` does not bubble (like <video>'s): a bubbling one would reach window.onerror as if uncaught.
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: type !== 'error', composed: true }));
  }

  /** Reflected synchronously, so that event listeners read the new value from the attribute too. */
  private reflect(name: 'state' | 'transport', value: string | null): void {
    if (value === null) this.removeAttribute(name);
    else if (this.getAttribute(name) !== value) this.setAttribute(name, value);
  }

  private attributeValues(): AttributeValues {
    const text = (value: string | number | null | undefined) => (value == null ? null : String(value));
    const flag = (value: boolean) => (value ? '' : 'false');
    const iceServers = this.iceServers;
    return {
      src: text(this.src),
      whep: text(this.whep),
      'mse-src': text(this.mseSrc),
      transports: text(this.transports),
      'ice-servers': typeof iceServers === 'object' && iceServers !== null ? JSON.stringify(iceServers) : text(iceServers),
      'ice-transport-policy': text(this.iceTransportPolicy),
      latency: text(this.latency),
      muted: flag(this.muted),
      autoplay: flag(this.autoplay),
      token: text(this.token),
      debug: flag(this.debug),
    };
  }

  private readonly onUnmuteClick = (): void => {
    this.unmuteNeeded = false;
    this.session?.setMuted(false);
  };
}

export interface AvatarPlayer {
  addEventListener<K extends keyof AvatarPlayerEventMap>(
    type: K,
    listener: (this: AvatarPlayer, event: AvatarPlayerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof AvatarPlayerEventMap>(
    type: K,
    listener: (this: AvatarPlayer, event: AvatarPlayerEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}
