/**
 * Strict parsing of protocol v1 messages (see protocol.ts and docs/protocol.md).
 * Runs in browsers, workers and Node alike: plain ECMAScript, no dependencies.
 *
 * Every message is rebuilt from scratch with only the fields v1 knows, so unknown fields
 * (forward compatibility) and keys such as `__proto__` never reach the caller.
 */

import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type ByeMessage,
  type CandidateMessage,
  type ClientMessage,
  type ClockMessage,
  type CueKind,
  type CueMessage,
  type IceCandidate,
  type IceServer,
  type JsonValue,
  type ProtocolErrorCode,
  type ServerMessage,
  type SkipMessage,
  type TransportKind,
} from './protocol.js';

export interface ParseError {
  code: ProtocolErrorCode;
  message: string;
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ParseError };

/** Bounds on field values; docs/protocol.md lists the same numbers. Lengths count UTF-16 code units. */
export const PROTOCOL_LIMITS = {
  transportLength: 64,
  sdpLength: MAX_MESSAGE_BYTES,
  candidateLength: 1024,
  sdpMidLength: 256,
  usernameFragmentLength: 256,
  sdpMLineIndexMax: 65535,
  tokenLength: 4096,
  iceServersCount: 16,
  iceUrlsCount: 16,
  iceUrlLength: 1024,
  iceCredentialLength: 1024,
  sessionLength: 256,
  serverLength: 256,
  reasonLength: 256,
  errorMessageLength: 1024,
  cueIdLength: 256,
  cueTextLength: 2000,
  clipNameLength: 1024,
  /** Nesting of an application cue's `data`. */
  cueDataDepth: 32,
} as const;

export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  return parseWith(text, clientReaders, 'client');
}

export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  return parseWith(text, serverReaders, 'server');
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}

// ---- envelope: size, JSON, object, version, type ----

class ProtocolViolation extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

type JsonObject = { readonly [key: string]: unknown };

type ReaderTable<M extends { type: string }> = {
  readonly [T in M['type']]: (fields: Fields) => Extract<M, { type: T }>;
};

function parseWith<M extends { type: string }>(
  text: string,
  readers: ReaderTable<M>,
  sender: 'client' | 'server',
): ParseResult<M> {
  try {
    const root = parseJsonObject(text);
    checkVersion(root);
    const type = readType(root, readers, sender);
    const read = readers[type] as (fields: Fields) => M;
    return { ok: true, message: read(new Fields(root, type)) };
  } catch (error) {
    if (!(error instanceof ProtocolViolation)) throw error;
    return { ok: false, error: { code: error.code, message: error.message } };
  }
}

function parseJsonObject(text: string): JsonObject {
  if (exceedsUtf8Bytes(text, MAX_MESSAGE_BYTES)) {
    throw new ProtocolViolation('too-large', `message is larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolViolation('bad-json', 'message is not valid JSON');
  }
  if (!isJsonObject(value)) throw new ProtocolViolation('bad-message', 'message must be a JSON object');
  return value;
}

function checkVersion(root: JsonObject): void {
  const v = ownValue(root, 'v');
  if (typeof v !== 'number') throw new ProtocolViolation('bad-message', 'v must be a number');
  if (v !== PROTOCOL_VERSION) {
    throw new ProtocolViolation('unsupported-version', `version ${v} is not supported (expected ${PROTOCOL_VERSION})`);
  }
}

function readType<M extends { type: string }>(
  root: JsonObject,
  readers: ReaderTable<M>,
  sender: 'client' | 'server',
): M['type'] {
  const type = ownValue(root, 'type');
  if (typeof type !== 'string') throw new ProtocolViolation('bad-message', 'type must be a string');
  // hasOwn, not `in`: "toString" or "__proto__" must not find Object.prototype's members.
  if (!Object.hasOwn(readers, type)) {
    throw new ProtocolViolation('unknown-type', `${quote(type)} is not a ${sender} message type`);
  }
  return type as M['type'];
}

/** Counts like TextEncoder would (a lone surrogate becomes U+FFFD, 3 bytes) but stops early and allocates nothing. */
function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length > limit) return true; // every UTF-16 code unit is at least one UTF-8 byte
  if (text.length * 3 <= limit) return false; // and at most three
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (!isSurrogatePair(text, i)) bytes += 3;
    else {
      bytes += 4;
      i++;
    }
  }
  return bytes > limit;
}

function isSurrogatePair(text: string, index: number): boolean {
  const high = text.charCodeAt(index);
  const low = text.charCodeAt(index + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownValue(source: JsonObject, key: string): unknown {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

/** Untrusted text echoed in an error message: quoted and cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

// ---- field readers ----

function failAt(path: string, expectation: string): never {
  throw new ProtocolViolation('bad-message', `${path} must be ${expectation}`);
}

function fieldsAt(value: unknown, path: string, expectation = 'an object'): Fields {
  if (!isJsonObject(value)) failAt(path, expectation);
  return new Fields(value, path);
}

/**
 * Reads the fields of one JSON object; a failure names the field by its path, e.g. "candidate.candidate.sdpMid".
 * JSON has no `undefined`, so a value of `undefined` always means the field is absent.
 */
class Fields {
  private readonly source: JsonObject;
  readonly path: string;

  constructor(source: JsonObject, path: string) {
    this.source = source;
    this.path = path;
  }

  pathOf(key: string): string {
    return `${this.path}.${key}`;
  }

  value(key: string): unknown {
    return ownValue(this.source, key);
  }

  fail(key: string, expectation: string): never {
    return failAt(this.pathOf(key), expectation);
  }

  string(key: string, maxLength: number, minLength = 0): string {
    const value = this.value(key);
    if (typeof value !== 'string' || value.length < minLength || value.length > maxLength) {
      this.fail(key, describeString(minLength, maxLength));
    }
    return value;
  }

  optionalString(key: string, maxLength: number): string | undefined {
    return this.value(key) === undefined ? undefined : this.string(key, maxLength);
  }

  /** Absent, null or a string, like the fields of the browser's RTCIceCandidateInit. */
  optionalNullableString(key: string, maxLength: number): string | null | undefined {
    const value = this.value(key);
    if (value === undefined || value === null) return value;
    if (typeof value !== 'string' || value.length > maxLength) {
      this.fail(key, `${describeString(0, maxLength)} or null`);
    }
    return value;
  }

  boolean(key: string): boolean {
    const value = this.value(key);
    if (typeof value !== 'boolean') this.fail(key, 'a boolean');
    return value;
  }

  /** JSON.parse turns 1e999 into Infinity, hence the explicit check. */
  finiteNumber(key: string): number {
    const value = this.value(key);
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, 'a finite number');
    return value;
  }

  /** A position on the stream timeline, in seconds: fMP4 decode times cannot be negative. */
  streamTime(key: string): number {
    const value = this.value(key);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.fail(key, 'a finite number ≥ 0');
    return value;
  }

  count(key: string): number {
    const value = this.value(key);
    if (!isCount(value, Number.MAX_SAFE_INTEGER)) this.fail(key, 'a non-negative safe integer');
    return value;
  }

  optionalNullableCount(key: string, max: number): number | null | undefined {
    const value = this.value(key);
    if (value === undefined || value === null) return value;
    if (!isCount(value, max)) this.fail(key, `an integer from 0 to ${max} or null`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.value(key);
    if (!allowed.includes(value as T)) this.fail(key, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  object(key: string): Fields {
    return fieldsAt(this.value(key), this.pathOf(key));
  }

  nullableObject(key: string): Fields | null {
    const value = this.value(key);
    return value === null ? null : fieldsAt(value, this.pathOf(key), 'an object or null');
  }

  array(key: string, maxItems: number, minItems = 0): readonly unknown[] {
    const value = this.value(key);
    if (!Array.isArray(value) || value.length < minItems || value.length > maxItems) {
      this.fail(key, `an array of ${minItems} to ${maxItems} items`);
    }
    return value;
  }
}

function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

function describeString(minLength: number, maxLength: number): string {
  const range = minLength > 0 ? `${minLength} to ${maxLength}` : `at most ${maxLength}`;
  return `a string of ${range} characters`;
}

/** `{ key: value }`, or `{}` when the value is absent, so that optional fields stay absent. */
function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---- message bodies ----

const TRANSPORT_KINDS: readonly TransportKind[] = ['webrtc', 'mse'];
const SKIP_REASONS: readonly SkipMessage['reason'][] = ['slow-reader'];
const CUE_KINDS: readonly CueKind[] = ['speech-start', 'speech-end', 'caption', 'app'];
const RTP_TIMESTAMP_MAX = 2 ** 32 - 1;

/** Every ProtocolErrorCode; `satisfies` makes the compiler flag a code added to protocol.ts but not here. */
export const PROTOCOL_ERROR_CODES: readonly ProtocolErrorCode[] = Object.keys({
  'bad-json': true,
  'bad-message': true,
  'unknown-type': true,
  'unsupported-version': true,
  'too-large': true,
  'out-of-order': true,
  'unsupported-transport': true,
  'unauthorized': true,
  'internal': true,
} satisfies Record<ProtocolErrorCode, true>) as ProtocolErrorCode[];

const ICE_URL_SCHEME = /^(stun|turns?):/i;
const TURN_URL_SCHEME = /^turns?:/i;
const SINGLE_CANDIDATE_LINE = /^candidate:[^\r\n]*$/;
const ICE_URL = `a stun:, turn: or turns: URL of at most ${PROTOCOL_LIMITS.iceUrlLength} characters`;

function readTransport(fields: Fields): TransportKind {
  const transport = fields.string('transport', PROTOCOL_LIMITS.transportLength);
  if (!TRANSPORT_KINDS.includes(transport as TransportKind)) {
    const expectation = `one of ${TRANSPORT_KINDS.join(', ')} (${quote(transport)} is not supported)`;
    throw new ProtocolViolation('unsupported-transport', `${fields.pathOf('transport')} must be ${expectation}`);
  }
  return transport as TransportKind;
}

/** SDP always begins with its version line (RFC 8866 §5). */
function readSdp(fields: Fields): string {
  const sdp = fields.string('sdp', PROTOCOL_LIMITS.sdpLength, 1);
  if (!sdp.startsWith('v=0')) fields.fail('sdp', 'an SDP description starting with "v=0"');
  return sdp;
}

function readCandidate(fields: Fields): CandidateMessage {
  const init = fields.nullableObject('candidate');
  return { v: 1, type: 'candidate', candidate: init && readIceCandidate(init) };
}

function readIceCandidate(fields: Fields): IceCandidate {
  const candidate = fields.string('candidate', PROTOCOL_LIMITS.candidateLength);
  // Chromium's addIceCandidate refuses a candidate without its "candidate:" prefix (OperationError), and a
  // line break could smuggle extra lines into an SDP that a peer splices the candidate into.
  if (candidate !== '' && !SINGLE_CANDIDATE_LINE.test(candidate)) {
    fields.fail('candidate', 'empty or a single line starting with "candidate:"');
  }
  const sdpMid = fields.optionalNullableString('sdpMid', PROTOCOL_LIMITS.sdpMidLength);
  const sdpMLineIndex = fields.optionalNullableCount('sdpMLineIndex', PROTOCOL_LIMITS.sdpMLineIndexMax);
  const usernameFragment = fields.optionalNullableString('usernameFragment', PROTOCOL_LIMITS.usernameFragmentLength);
  // RTCPeerConnection.addIceCandidate rejects such a candidate with a TypeError.
  if (candidate !== '' && sdpMid == null && sdpMLineIndex == null) {
    fields.fail('sdpMid', 'a string (or sdpMLineIndex a number) when candidate is not empty');
  }
  return {
    candidate,
    ...optionalField('sdpMid', sdpMid),
    ...optionalField('sdpMLineIndex', sdpMLineIndex),
    ...optionalField('usernameFragment', usernameFragment),
  };
}

function readBye(fields: Fields): ByeMessage {
  const reason = fields.optionalString('reason', PROTOCOL_LIMITS.reasonLength);
  return { v: 1, type: 'bye', ...optionalField('reason', reason) };
}

function readSkip(fields: Fields): SkipMessage {
  const from = fields.streamTime('from');
  const to = fields.streamTime('to');
  if (to < from) fields.fail('to', `at least from (${from})`);
  return { v: 1, type: 'skip', from, to, reason: fields.oneOf('reason', SKIP_REASONS) };
}

function readIceServers(fields: Fields): IceServer[] {
  const items = fields.array('iceServers', PROTOCOL_LIMITS.iceServersCount);
  return items.map((item, index) => readIceServer(fieldsAt(item, `${fields.pathOf('iceServers')}[${index}]`)));
}

function readIceServer(server: Fields): IceServer {
  const urls = readIceUrls(server);
  const username = server.optionalString('username', PROTOCOL_LIMITS.iceCredentialLength);
  const credential = server.optionalString('credential', PROTOCOL_LIMITS.iceCredentialLength);
  // The RTCPeerConnection constructor throws for a TURN URL without both.
  const hasTurnUrl = [urls].flat().some((url) => TURN_URL_SCHEME.test(url));
  if (hasTurnUrl && (username === undefined || credential === undefined)) {
    server.fail('username', 'a string, with credential, for a turn: or turns: URL');
  }
  return { urls, ...optionalField('username', username), ...optionalField('credential', credential) };
}

function readIceUrls(server: Fields): string | string[] {
  const path = server.pathOf('urls');
  const urls = server.value('urls');
  if (!Array.isArray(urls)) return readIceUrl(urls, path, `${ICE_URL} or an array of them`);
  return server
    .array('urls', PROTOCOL_LIMITS.iceUrlsCount, 1)
    .map((url, index) => readIceUrl(url, `${path}[${index}]`, ICE_URL));
}

function readIceUrl(url: unknown, path: string, expectation: string): string {
  if (typeof url !== 'string' || url.length > PROTOCOL_LIMITS.iceUrlLength || !ICE_URL_SCHEME.test(url)) {
    failAt(path, expectation);
  }
  return url;
}

const clientReaders: ReaderTable<ClientMessage> = {
  hello: (fields) => ({
    v: 1,
    type: 'hello',
    transport: readTransport(fields),
    ...optionalField('token', fields.optionalString('token', PROTOCOL_LIMITS.tokenLength)),
  }),
  answer: (fields) => ({ v: 1, type: 'answer', sdp: readSdp(fields) }),
  candidate: readCandidate,
  ping: (fields) => ({ v: 1, type: 'ping', id: fields.count('id'), t0: fields.finiteNumber('t0') }),
  keyframe: () => ({ v: 1, type: 'keyframe' }),
  'ice-restart': () => ({ v: 1, type: 'ice-restart' }),
  bye: readBye,
};

function readClock(fields: Fields): ClockMessage {
  const rtp = fields.value('rtp') === undefined ? undefined : fields.object('rtp');
  return {
    v: 1,
    type: 'clock',
    pts: fields.streamTime('pts'),
    time: fields.finiteNumber('time'),
    ...optionalField('rtp', rtp && { video: rtpTimestamp(rtp, 'video'), audio: rtpTimestamp(rtp, 'audio') }),
  };
}

function rtpTimestamp(fields: Fields, key: string): number {
  const value = fields.value(key);
  if (!isCount(value, RTP_TIMESTAMP_MAX)) fields.fail(key, `an integer from 0 to ${RTP_TIMESTAMP_MAX}`);
  return value;
}

/** Only the fields of the cue's kind are kept: a caption's text, an application cue's data. */
function readCue(fields: Fields): CueMessage {
  const kind = fields.oneOf('kind', CUE_KINDS);
  const pts = fields.streamTime('pts');
  const cue: CueMessage = {
    v: 1,
    type: 'cue',
    id: fields.string('id', PROTOCOL_LIMITS.cueIdLength, 1),
    kind,
    pts,
    ...optionalField('clip', fields.optionalString('clip', PROTOCOL_LIMITS.clipNameLength)),
  };
  if (kind === 'caption') {
    const end = fields.streamTime('end');
    if (end <= pts) fields.fail('end', 'after pts');
    return { ...cue, end, text: fields.string('text', PROTOCOL_LIMITS.cueTextLength) };
  }
  if (kind === 'app') {
    if (fields.value('data') === undefined) fields.fail('data', 'present in an application cue');
    const data = copyJsonValue(fields.value('data'), PROTOCOL_LIMITS.cueDataDepth);
    if (data === undefined) fields.fail('data', `nested at most ${PROTOCOL_LIMITS.cueDataDepth} deep`);
    return { ...cue, data };
  }
  return cue;
}

/** A fresh copy of parsed JSON without `__proto__` keys (they never reach the page); undefined if nested deeper than `maxDepth`. */
export function copyJsonValue(value: unknown, maxDepth: number, depth = 0): JsonValue | undefined {
  if (depth > maxDepth) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => copyJsonValue(item, maxDepth, depth + 1));
    return items.includes(undefined) ? undefined : (items as JsonValue[]);
  }
  if (!isJsonObject(value)) return value as JsonValue;
  const copy: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__') continue;
    const itemCopy = copyJsonValue(item, maxDepth, depth + 1);
    if (itemCopy === undefined) return undefined;
    copy[key] = itemCopy;
  }
  return copy;
}

const serverReaders: ReaderTable<ServerMessage> = {
  welcome: (fields) => ({
    v: 1,
    type: 'welcome',
    session: fields.string('session', PROTOCOL_LIMITS.sessionLength, 1),
    server: fields.string('server', PROTOCOL_LIMITS.serverLength),
    iceServers: readIceServers(fields),
  }),
  offer: (fields) => ({ v: 1, type: 'offer', sdp: readSdp(fields) }),
  candidate: readCandidate,
  pong: (fields) => ({
    v: 1,
    type: 'pong',
    id: fields.count('id'),
    t0: fields.finiteNumber('t0'),
    t1: fields.finiteNumber('t1'),
  }),
  error: (fields) => ({
    v: 1,
    type: 'error',
    code: fields.oneOf('code', PROTOCOL_ERROR_CODES),
    message: fields.string('message', PROTOCOL_LIMITS.errorMessageLength),
    fatal: fields.boolean('fatal'),
  }),
  bye: readBye,
  clock: readClock,
  cue: readCue,
  skip: readSkip,
};
