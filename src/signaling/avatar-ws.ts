/**
 * The WebSocket client for the avatar signaling protocol (v1, src/protocol.ts).
 * Every received frame is validated; a bad one is reported as 'protocol-error' and the session goes on.
 */

import { PlayerError } from '../events.js';
import {
  MAX_MESSAGE_BYTES,
  type ByeMessage,
  type ClientMessage,
  type ClockMessage,
  type CueMessage,
  type ErrorMessage,
  type HelloMessage,
  type IceCandidate,
  type PongMessage,
  type ServerMessage,
  type SkipMessage,
  type WelcomeMessage,
} from '../protocol.js';
import { encodeMessage, parseServerMessage } from '../protocol-validation.js';
import type { MediaFeed } from '../transports/mse/media-feed.js';
import { RemoteOfferNegotiation } from '../transports/webrtc/remote-offer-negotiation.js';
import type { WebRtcSignaling } from '../transports/webrtc/webrtc-signaling.js';
import { TypedEmitter } from '../typed-emitter.js';

export interface AvatarWsEvents {
  welcome: WelcomeMessage;
  offer: { sdp: string };
  candidate: { candidate: IceCandidate | null };
  pong: PongMessage;
  clock: ClockMessage;
  cue: CueMessage;
  skip: SkipMessage;
  /** A binary frame: media of an `mse` session. */
  media: { data: ArrayBuffer };
  /** The server reported an error (its `error` message). */
  'server-error': ErrorMessage;
  bye: ByeMessage;
  /** A frame from the server broke the protocol; it was dropped. */
  'protocol-error': { message: string };
  /** The socket closed after it had opened, and not because of `close()`. */
  closed: { code: number; reason: string };
}

export interface AvatarWsOptions {
  connectTimeoutMs?: number;
  /** Makes the socket; tests outside a browser pass another WebSocket implementation. */
  createSocket?: (url: string) => WebSocket;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** WebSocket.readyState values, spelled out because Node 20 has no global WebSocket to read them from. */
const READY_STATE = { connecting: 0, open: 1 } as const;

export class AvatarWsSignaling extends TypedEmitter<AvatarWsEvents> {
  private socket: WebSocket | undefined;
  private closedByUs = false;
  /** Binary frames are media only in an `mse` session. */
  private carriesMedia = false;
  private abortConnect: ((message: string) => void) | undefined;

  constructor(
    private readonly url: string,
    private readonly options: AvatarWsOptions = {},
  ) {
    super();
  }

  /** Opens the socket and sends `hello`. Rejects with PlayerError 'signaling-unreachable'; never throws. */
  connect(hello: HelloMessage): Promise<void> {
    this.carriesMedia = hello.transport === 'mse';
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const timer = setTimeout(() => fail(`no WebSocket connection to ${this.url} within ${timeoutMs} ms`), timeoutMs);
      const fail = (message: string) => {
        clearTimeout(timer);
        this.abortConnect = undefined;
        this.closeSocket(1000, '');
        reject(new PlayerError('signaling-unreachable', message));
      };
      this.abortConnect = fail;
      let socket: WebSocket;
      try {
        socket = (this.options.createSocket ?? ((url) => new WebSocket(url)))(this.url);
      } catch (error) {
        fail(`cannot open a WebSocket to ${this.url}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      this.socket = socket;
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        clearTimeout(timer);
        this.abortConnect = undefined;
        socket.onclose = (event) => this.onSocketClosed(event.code, event.reason);
        this.send(hello);
        resolve();
      };
      socket.onclose = (event) => fail(`WebSocket to ${this.url} closed before it opened (code ${event.code})`);
      socket.onerror = () => undefined; // a close event with the details always follows
      socket.onmessage = (event: MessageEvent<unknown>) => this.receive(event.data);
    });
  }

  /** Sends a message; returns false (and drops it) when the socket is not open. */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== READY_STATE.open) return false;
    this.socket.send(encodeMessage(message));
    return true;
  }

  /** Closes the socket; idempotent. A pending `connect()` rejects; no `closed` event follows. */
  close(code = 1000, reason = ''): void {
    this.closedByUs = true;
    this.abortConnect?.('closed while connecting');
    this.closeSocket(code, reason);
  }

  /** The WebRTC view of this channel: the server offers (again after `ice-restart`), this side answers. */
  webRtcChannel(): WebRtcSignaling {
    return new RemoteOfferNegotiation({
      onOffer: (listener) => this.on('offer', ({ sdp }) => listener(sdp)),
      onCandidate: (listener) => this.on('candidate', ({ candidate }) => listener(candidate)),
      sendAnswer: (sdp) => void this.send({ v: 1, type: 'answer', sdp }),
      sendCandidate: (candidate) => void this.send({ v: 1, type: 'candidate', candidate }),
      onError: (listener) => this.on('server-error', ({ code, message }) => listener(`${code}: ${message}`)),
      requestIceRestart: () => this.send({ v: 1, type: 'ice-restart' }),
    });
  }

  /** The MSE view of this channel: binary frames are the fMP4 stream, `skip` says where media was dropped. */
  mediaFeed(): MediaFeed {
    return {
      onBytes: (listener) => this.on('media', ({ data }) => listener(data)),
      onSkip: (listener) => this.on('skip', ({ from, to }) => listener({ from, to })),
      requestKeyframe: () => void this.send({ v: 1, type: 'keyframe' }),
    };
  }

  private receive(data: unknown): void {
    try {
      if (typeof data !== 'string') {
        if (this.carriesMedia && data instanceof ArrayBuffer) return this.emit('media', { data });
        return this.protocolError('binary frames carry media only in an mse session');
      }
      if (data.length > MAX_MESSAGE_BYTES) return this.protocolError(`a message of ${data.length} characters is too large`);
      const parsed = parseServerMessage(data);
      if (!parsed.ok) return this.protocolError(`${parsed.error.code}: ${parsed.error.message}`);
      this.dispatch(parsed.message);
    } catch (error) {
      // Defensive: nothing above is meant to throw, and nothing may escape the socket's handler.
      this.protocolError(`handling a message failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.emit('welcome', message);
      case 'offer':
        return this.emit('offer', { sdp: message.sdp });
      case 'candidate':
        return this.emit('candidate', { candidate: message.candidate });
      case 'pong':
        return this.emit('pong', message);
      case 'error':
        return this.emit('server-error', message);
      case 'bye':
        return this.emit('bye', message);
      case 'clock':
        return this.emit('clock', message);
      case 'cue':
        return this.emit('cue', message);
      case 'skip':
        return this.emit('skip', message);
    }
  }

  private protocolError(message: string): void {
    this.emit('protocol-error', { message });
  }

  private onSocketClosed(code: number, reason: string): void {
    this.detach();
    if (!this.closedByUs) this.emit('closed', { code, reason });
  }

  private closeSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.detach();
    if (socket && (socket.readyState === READY_STATE.connecting || socket.readyState === READY_STATE.open)) {
      socket.close(code, reason);
    }
  }

  /** Stops listening to the socket. `onerror` stays a no-op: some WebSocket implementations throw on an unheard error. */
  private detach(): void {
    const socket = this.socket;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    this.socket = undefined;
  }
}
