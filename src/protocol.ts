/**
 * The avatar signaling protocol, version 1: the one place where its message shapes are declared.
 * Player and reference server both import these types; docs/protocol.md describes the same on the wire.
 *
 * Every message is a JSON object sent as a WebSocket text frame, with `v: 1` and a `type`.
 */

export const PROTOCOL_VERSION = 1;

/** Text frames larger than this are refused by both sides (close code 1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Media paths a session can ask for: `webrtc` (RTP over a peer connection the server offers) or
 * `mse` (fragmented MP4 in binary frames on this same WebSocket, for MediaSource).
 */
export type TransportKind = 'webrtc' | 'mse';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** An ICE candidate as the browser serialises it; `null` in a `candidate` message means end of candidates. */
export interface IceCandidate {
  /** One candidate line with its "candidate:" prefix (as RTCIceCandidate.candidate), or "" for end of a generation. */
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

// ---- client → server ----

/** First message of a session: which media path the client wants. */
export interface HelloMessage {
  v: 1;
  type: 'hello';
  transport: TransportKind;
  token?: string;
}

/** The client's SDP answer to the server's `offer`. */
export interface AnswerMessage {
  v: 1;
  type: 'answer';
  sdp: string;
}

/** A trickled ICE candidate; sent in both directions. */
export interface CandidateMessage {
  v: 1;
  type: 'candidate';
  candidate: IceCandidate | null;
}

/** Keep-alive and clock-offset probe; `t0` is the client's clock in ms. */
export interface PingMessage {
  v: 1;
  type: 'ping';
  id: number;
  t0: number;
}

/** Asks the server for a fresh keyframe (e.g. after the decoder lost sync). */
export interface KeyframeRequestMessage {
  v: 1;
  type: 'keyframe';
}

/**
 * WebRTC only: the client lost its ICE connection (`disconnected` or `failed`) and asks for an ICE restart.
 * The server answers with a new `offer` carrying fresh ICE credentials; the client answers it as usual.
 */
export interface IceRestartMessage {
  v: 1;
  type: 'ice-restart';
}

/** Ends the session; sent in both directions. */
export interface ByeMessage {
  v: 1;
  type: 'bye';
  reason?: string;
}

export type ClientMessage =
  | HelloMessage
  | AnswerMessage
  | CandidateMessage
  | PingMessage
  | KeyframeRequestMessage
  | IceRestartMessage
  | ByeMessage;

export type ClientMessageType = ClientMessage['type'];

// ---- server → client ----

/** The server's reply to `hello`. */
export interface WelcomeMessage {
  v: 1;
  type: 'welcome';
  /** Opaque id of this session, for logs. */
  session: string;
  /** Name and version of the server software, e.g. "avatar-server/0.1.0". */
  server: string;
  /** ICE servers the client should use (e.g. TURN with short-lived credentials); may be empty. */
  iceServers: IceServer[];
}

/** The server's SDP offer (in v1 the server is always the offerer). */
export interface OfferMessage {
  v: 1;
  type: 'offer';
  sdp: string;
}

/** `t1` is the server's wall clock (ms since the Unix epoch) when the ping was answered. */
export interface PongMessage {
  v: 1;
  type: 'pong';
  id: number;
  t0: number;
  t1: number;
}

export interface ErrorMessage {
  v: 1;
  type: 'error';
  code: ProtocolErrorCode;
  message: string;
  /** When true the server closes the socket after this message. */
  fatal: boolean;
}

/**
 * Maps the stream timeline to the server's wall clock: the media sample with presentation time `pts`
 * (seconds on the stream timeline, as in the fMP4 decode times) left the server at `time`
 * (ms since the Unix epoch). Sent when media starts and then about once a second.
 */
export interface ClockMessage {
  v: 1;
  type: 'clock';
  pts: number;
  time: number;
  /** WebRTC sessions: the RTP timestamps (32-bit, as in the RTP headers) that stream time `pts` has on each track. */
  rtp?: RtpTimestamps;
}

export interface RtpTimestamps {
  /** 90 kHz clock. */
  video: number;
  /** 48 kHz clock (Opus). */
  audio: number;
}

/**
 * What a cue marks on the stream timeline: the avatar starts or stops speaking (the mouth moves from the
 * frame at `pts` on, or is still from it on), a caption is shown from `pts` to `end`, or an application
 * cue from the backend (opaque `data`) is due.
 */
export type CueKind = 'speech-start' | 'speech-end' | 'caption' | 'app';

/** Any JSON value: what an application cue carries from the backend to the page, untouched. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A timed cue, sent ahead of (or at the latest with) the media it belongs to. The player fires it when the
 * frame with presentation time `pts` is on screen. `id` is the same for every viewer of the stream, so a cue
 * seen twice (two sessions during a transport race, a resent cue) is one cue.
 */
export interface CueMessage {
  v: 1;
  type: 'cue';
  id: string;
  kind: CueKind;
  /** Stream time (s) at which the cue takes effect. */
  pts: number;
  /** Captions: stream time (s) at which the caption goes away (`end > pts`). */
  end?: number;
  /** Captions: the text. */
  text?: string;
  /** Application cues: the backend's payload. */
  data?: JsonValue;
  /** The clip the cue belongs to (file name, for logs). */
  clip?: string;
}

/**
 * MSE only: the server dropped the media between `from` and `to` (stream timeline, seconds) because the
 * client did not read it fast enough; the stream goes on with a keyframe at `to`.
 */
export interface SkipMessage {
  v: 1;
  type: 'skip';
  from: number;
  to: number;
  reason: 'slow-reader';
}

export type ServerMessage =
  | WelcomeMessage
  | OfferMessage
  | CandidateMessage
  | PongMessage
  | ErrorMessage
  | ByeMessage
  | ClockMessage
  | CueMessage
  | SkipMessage;

export type ServerMessageType = ServerMessage['type'];

// ---- errors and close codes ----

export type ProtocolErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'unknown-type'
  | 'unsupported-version'
  | 'too-large'
  | 'out-of-order'
  | 'unsupported-transport'
  | 'unauthorized'
  | 'internal';

/** WebSocket close codes used by the protocol. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  policyViolation: 1008,
  tooLarge: 1009,
  internalError: 1011,
} as const;
