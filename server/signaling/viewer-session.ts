import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  type ClientMessage,
  type IceCandidate,
  type IceServer,
  type ProtocolErrorCode,
  type ServerMessage,
  type TransportKind,
} from '../../src/protocol.js';
import { encodeMessage, parseClientMessage } from '../../src/protocol-validation.js';
import type { CueFeed } from '../cues/cue-hub.js';
import type { Logger } from '../log.js';
import type { MseConnection, MseViewer } from '../outputs/mse/mse-viewer.js';
import { DEFAULT_ICE_TIMING } from '../outputs/webrtc/ice-timing.js';
import type { WebRtcViewer, WebRtcViewerEvents } from '../outputs/webrtc/webrtc-viewer.js';

/** A client that keeps sending bad messages is cut off rather than logged forever. */
const MAX_BAD_MESSAGES = 20;
const HELLO_TIMEOUT_MS = 10_000;
/** A peer connection that is not up by then will not come up: its port and state are freed. */
const CONNECT_TIMEOUT_MS = 20_000;
const MAX_EARLY_CANDIDATES = 64;
/** ICE restarts in a row that did not bring media back before the session gives up. */
const MAX_FUTILE_RESTARTS = 10;

/** How a session makes the viewer for the transport its client asked for. */
export interface ViewerFactories {
  webrtc(events: WebRtcViewerEvents): WebRtcViewer;
  mse(connection: MseConnection): MseViewer;
  /** The stream's cues; a session follows them once its media flows. */
  cues?: CueFeed;
  /** ICE servers for the welcome, e.g. TURN with a fresh short-lived credential (whose username names no session). */
  iceServers(): IceServer[];
}

type Phase = 'awaiting-hello' | 'negotiating' | 'awaiting-answer' | 'streaming' | 'closed';

/**
 * One signaling WebSocket: validates every message, walks the v1 flow (hello → welcome, then for WebRTC
 * offer → answer with candidates both ways, for MSE fMP4 in binary frames) and owns the viewer it creates.
 * Nothing a client sends can reach another client's session.
 */
export class ViewerSession {
  readonly id = randomUUID();
  private phase: Phase = 'awaiting-hello';
  private webRtcViewer: WebRtcViewer | undefined;
  private mseViewer: MseViewer | undefined;
  private readonly earlyCandidates: (IceCandidate | null)[] = [];
  private readonly earlyLocalCandidates: (IceCandidate | null)[] = [];
  private badMessages = 0;
  private handling: Promise<void> = Promise.resolve();
  private readonly helloTimer: NodeJS.Timeout;
  private giveUpTimer: NodeJS.Timeout | undefined;
  private answered = false;
  private futileRestarts = 0;
  private unfollowCues: (() => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly viewers: ViewerFactories,
    private readonly serverName: string,
    private readonly log: Logger,
    private readonly onClosed: (session: ViewerSession) => void,
    /** After the media path is lost, how long the client has to ask for (and complete) an ICE restart. */
    private readonly restartWaitMs = DEFAULT_ICE_TIMING.restartWaitMs,
  ) {
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', () => this.dispose());
    socket.on('error', (error) => this.log.warn(`socket error: ${error.message}`));
    this.helloTimer = setTimeout(() => this.close(CloseCode.policyViolation, 'no hello in time'), HELLO_TIMEOUT_MS);
  }

  /** Bytes queued on this socket and not yet written to the network. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    if (code === CloseCode.goingAway) this.send({ v: PROTOCOL_VERSION, type: 'bye', reason });
    this.socket.close(code, reason);
    this.dispose();
  }

  private dispose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.helloTimer);
    clearTimeout(this.giveUpTimer);
    this.unfollowCues?.();
    this.webRtcViewer?.close();
    this.mseViewer?.close();
    this.onClosed(this);
  }

  /** One message at a time, in order: a candidate must not overtake the answer it belongs to. */
  private receive(data: RawData, isBinary: boolean): void {
    this.handling = this.handling
      .then(() => this.process(data, isBinary))
      .catch((error: unknown) => {
        this.log.error(`session failed: ${String(error)}`);
        this.close(CloseCode.internalError, 'internal error');
      });
  }

  private async process(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return this.reject('bad-message', 'binary frames are media and only flow from the server');
    const parsed = parseClientMessage(rawToString(data));
    if (!parsed.ok) return this.reject(parsed.error.code, parsed.error.message);
    try {
      await this.handle(parsed.message);
    } catch (error) {
      this.log.error(`handling ${parsed.message.type}: ${String(error)}`);
      this.sendError('internal', `could not handle ${parsed.message.type}`, false);
    }
  }

  private async handle(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'hello':
        return this.onHello(message.transport);
      case 'answer':
        return this.onAnswer(message.sdp);
      case 'candidate':
        return this.onCandidate(message.candidate);
      case 'ping':
        return this.send({ v: PROTOCOL_VERSION, type: 'pong', id: message.id, t0: message.t0, t1: Date.now() });
      case 'ice-restart':
        return this.onIceRestart();
      case 'keyframe':
        if (this.mseViewer) return this.mseViewer.requestKeyframe();
        return this.log.debug('keyframe requested: the next one is at most one GOP away');
      case 'bye':
        return this.close(CloseCode.normal, 'bye');
    }
  }

  private async onHello(transport: TransportKind): Promise<void> {
    if (this.phase !== 'awaiting-hello') return this.reject('out-of-order', 'hello was already received');
    clearTimeout(this.helloTimer);
    switch (transport) {
      case 'webrtc':
        return this.startWebRtc();
      case 'mse':
        return this.startMse();
    }
  }

  private async startWebRtc(): Promise<void> {
    this.phase = 'negotiating';
    this.sendWelcome();
    this.webRtcViewer = this.viewers.webrtc({
      onLocalCandidate: (candidate) => this.sendCandidate(candidate),
      onConnected: () => {
        clearTimeout(this.giveUpTimer);
        this.futileRestarts = 0;
        this.log.info('media flowing');
        this.followCues();
      },
      onClock: (message) => this.send(message),
      onDisconnected: (reason) => this.awaitRestart(reason),
    });
    this.armGiveUpTimer(CONNECT_TIMEOUT_MS, `WebRTC did not connect within ${CONNECT_TIMEOUT_MS / 1000} s`);
    await this.sendOffer(this.webRtcViewer.createOffer());
  }

  private async sendOffer(offer: Promise<string>): Promise<void> {
    const sdp = await offer;
    if (this.phase !== 'negotiating') return;
    this.send({ v: PROTOCOL_VERSION, type: 'offer', sdp });
    this.phase = 'awaiting-answer';
    for (const candidate of this.earlyLocalCandidates.splice(0)) {
      if (!candidate || !sdp.includes(candidate.candidate)) this.sendCandidate(candidate);
    }
  }

  /** MSE media needs no negotiation: fMP4 follows the welcome on this socket, from the next keyframe on. */
  private startMse(): void {
    this.phase = 'streaming';
    this.sendWelcome();
    const socket = this.socket;
    this.mseViewer = this.viewers.mse({
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      sendMedia: (bytes) => {
        if (this.isOpen()) socket.send(bytes, { binary: true });
      },
      sendMessage: (message) => this.send(message),
    });
    this.mseViewer.start();
    this.followCues();
    this.log.info('streaming fMP4');
  }

  /** From the start of media on: first the cues in effect (a late joiner's speech-start and caption), then each new one. */
  private followCues(): void {
    if (this.unfollowCues || !this.viewers.cues || this.phase === 'closed') return;
    this.unfollowCues = this.viewers.cues.follow((cue) => this.send(cue));
  }

  private sendWelcome(): void {
    this.send({ v: PROTOCOL_VERSION, type: 'welcome', session: this.id, server: this.serverName, iceServers: this.viewers.iceServers() });
  }

  /** The media path is gone: the client may still ask for an ICE restart, so the session waits for that. */
  private awaitRestart(reason: string): void {
    this.log.info(`media path lost (${reason}): waiting up to ${this.restartWaitMs / 1000} s for an ICE restart`);
    this.armGiveUpTimer(this.restartWaitMs, `WebRTC lost its path (${reason}) and no ICE restart brought it back`);
  }

  private async onIceRestart(): Promise<void> {
    if (this.mseViewer) return this.reject('out-of-order', 'an MSE session has no ICE to restart');
    if (!this.webRtcViewer || !this.answered) return this.reject('out-of-order', 'ice-restart before the first answer');
    if (this.phase !== 'streaming') return this.reject('out-of-order', 'an ICE restart is already under way: answer its offer first');
    if (++this.futileRestarts > MAX_FUTILE_RESTARTS) return this.giveUp(`${MAX_FUTILE_RESTARTS} ICE restarts did not bring media back`);
    this.log.info('ICE restart requested');
    this.phase = 'negotiating';
    this.armGiveUpTimer(this.restartWaitMs, `the ICE restart did not connect within ${this.restartWaitMs / 1000} s`);
    await this.sendOffer(this.webRtcViewer.createOffer({ iceRestart: true }));
  }

  private armGiveUpTimer(ms: number, reason: string): void {
    clearTimeout(this.giveUpTimer);
    this.giveUpTimer = setTimeout(() => this.giveUp(reason), ms);
  }

  /** Candidates gathered while the offer was being made follow it, unless the offer already lists them. */
  private sendCandidate(candidate: IceCandidate | null): void {
    if (this.phase === 'negotiating') this.earlyLocalCandidates.push(candidate);
    else this.send({ v: PROTOCOL_VERSION, type: 'candidate', candidate });
  }

  private async onAnswer(sdp: string): Promise<void> {
    if (this.mseViewer) return this.reject('out-of-order', 'an MSE session has no offer to answer');
    if (this.phase !== 'awaiting-answer' || !this.webRtcViewer) return this.reject('out-of-order', 'answer before the offer');
    this.phase = 'streaming';
    this.answered = true;
    await this.webRtcViewer.acceptAnswer(sdp);
    for (const candidate of this.earlyCandidates.splice(0)) await this.webRtcViewer.addRemoteCandidate(candidate);
  }

  private async onCandidate(candidate: IceCandidate | null): Promise<void> {
    if (this.phase === 'awaiting-hello') return this.reject('out-of-order', 'candidate before hello');
    if (this.mseViewer) return this.reject('out-of-order', 'an MSE session has no peer connection');
    if (this.phase !== 'streaming') {
      if (this.earlyCandidates.length >= MAX_EARLY_CANDIDATES) return this.reject('bad-message', 'too many candidates before the answer');
      this.earlyCandidates.push(candidate);
      return;
    }
    await this.webRtcViewer?.addRemoteCandidate(candidate);
  }

  /** The media path is gone: say so and end the session, so that the client reconnects. */
  private giveUp(reason: string): void {
    this.sendError('internal', reason, true);
    this.close(CloseCode.internalError, 'media failed');
  }

  private reject(code: ProtocolErrorCode, message: string): void {
    this.log.warn(`rejected a message (${code}): ${message}`);
    this.badMessages++;
    const fatal = this.badMessages >= MAX_BAD_MESSAGES;
    this.sendError(code, message, fatal);
    if (fatal) this.close(CloseCode.policyViolation, 'too many bad messages');
  }

  private sendError(code: ProtocolErrorCode, message: string, fatal: boolean): void {
    this.send({ v: PROTOCOL_VERSION, type: 'error', code, message, fatal });
  }

  private send(message: ServerMessage): void {
    if (this.isOpen()) this.socket.send(encodeMessage(message));
  }

  private isOpen(): boolean {
    return this.phase !== 'closed' && this.socket.readyState === this.socket.OPEN;
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
