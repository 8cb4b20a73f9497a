import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, type ClientMessage, type ProtocolErrorCode, type ServerMessage } from '../../src/protocol.js';
import {
  PROTOCOL_ERROR_CODES,
  PROTOCOL_LIMITS,
  encodeMessage,
  parseClientMessage,
  parseServerMessage,
  type ParseResult,
} from '../../src/protocol-validation.js';

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const HOST_CANDIDATE = 'candidate:1 1 udp 2130706431 10.231.0.1 40000 typ host';
const CANDIDATE = { candidate: HOST_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };
const TURN = { urls: ['turn:10.231.0.1:3478?transport=tcp', 'turns:10.231.0.1:443'], username: '1700000000:u', credential: 'c2VjcmV0' };

type Parser = (text: string) => ParseResult<ClientMessage | ServerMessage>;
/** A message as an object (sent through JSON.stringify) or as raw text. */
type Input = string | object;

const toText = (input: Input): string => (typeof input === 'string' ? input : JSON.stringify(input));
const message = (type: string, fields: object = {}): object => ({ v: 1, type, ...fields });
const withoutField = (type: string, fields: Record<string, unknown>, omitted: string): object =>
  message(type, Object.fromEntries(Object.entries(fields).filter(([key]) => key !== omitted)));
const long = (length: number, prefix = ''): string => prefix + 'x'.repeat(length - prefix.length);

function expectFailure(result: ParseResult<unknown>, code: ProtocolErrorCode, field?: string): void {
  expect(result).toEqual({ ok: false, error: { code, message: expect.any(String) } });
  if (field !== undefined && !result.ok) expect(result.error.message).toMatch(new RegExp(`^${escapeRegExp(field)} must be `));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('round trip: encode then parse gives the same message', () => {
  const clientMessages: ClientMessage[] = [
    { v: 1, type: 'hello', transport: 'webrtc' },
    { v: 1, type: 'hello', transport: 'webrtc', token: 'secret-token' },
    { v: 1, type: 'hello', transport: 'mse' },
    { v: 1, type: 'hello', transport: 'mse', token: 'secret-token' },
    { v: 1, type: 'answer', sdp: SDP },
    { v: 1, type: 'candidate', candidate: CANDIDATE },
    { v: 1, type: 'candidate', candidate: { candidate: HOST_CANDIDATE, sdpMid: '0' } },
    { v: 1, type: 'candidate', candidate: { candidate: HOST_CANDIDATE, sdpMid: null, sdpMLineIndex: 0, usernameFragment: null } },
    { v: 1, type: 'candidate', candidate: { candidate: '' } },
    { v: 1, type: 'candidate', candidate: null },
    { v: 1, type: 'ping', id: 0, t0: 1700000000123.5 },
    { v: 1, type: 'ping', id: Number.MAX_SAFE_INTEGER, t0: -5 },
    { v: 1, type: 'keyframe' },
    { v: 1, type: 'ice-restart' },
    { v: 1, type: 'bye' },
    { v: 1, type: 'bye', reason: 'page closed' },
  ];
  const serverMessages: ServerMessage[] = [
    { v: 1, type: 'welcome', session: 's-1', server: 'avatar-server/0.1.0', iceServers: [] },
    { v: 1, type: 'welcome', session: 's-2', server: '', iceServers: [{ urls: 'stun:10.231.0.1:3478' }, TURN] },
    { v: 1, type: 'welcome', session: 's-3', server: 'x', iceServers: [{ urls: ['STUN:a.example'], username: 'u' }] },
    { v: 1, type: 'offer', sdp: SDP },
    { v: 1, type: 'candidate', candidate: CANDIDATE },
    { v: 1, type: 'candidate', candidate: null },
    { v: 1, type: 'pong', id: 7, t0: 1700000000123.5, t1: 1700000000130 },
    ...PROTOCOL_ERROR_CODES.map((code, index): ServerMessage => ({ v: 1, type: 'error', code, message: `m ${code}`, fatal: index % 2 === 0 })),
    { v: 1, type: 'bye' },
    { v: 1, type: 'bye', reason: 'server shutting down' },
    { v: 1, type: 'clock', pts: 0, time: 1700000000123.25 },
    { v: 1, type: 'clock', pts: 3600.0135, time: 0 },
    { v: 1, type: 'clock', pts: 2.5, time: 1700000000000, rtp: { video: 4294967295, audio: 0 } },
    { v: 1, type: 'cue', id: '3:speech-start', kind: 'speech-start', pts: 12.5, clip: 'hello.mp4' },
    { v: 1, type: 'cue', id: '3:speech-end', kind: 'speech-end', pts: 14 },
    { v: 1, type: 'cue', id: '3:caption:0', kind: 'caption', pts: 12.5, end: 13.25, text: 'Hello there' },
    { v: 1, type: 'cue', id: '3:app:0', kind: 'app', pts: 13, data: { gesture: 'wave', at: [1, 2.5, null, true] } },
    { v: 1, type: 'cue', id: '3:app:1', kind: 'app', pts: 13, data: null },
    { v: 1, type: 'skip', from: 12.02, to: 12.5065, reason: 'slow-reader' },
    { v: 1, type: 'skip', from: 4, to: 4, reason: 'slow-reader' },
  ];

  it.each(clientMessages.map((m) => [toText(m), m] as const))('client %s', (_, m) => {
    expect(parseClientMessage(encodeMessage(m))).toStrictEqual({ ok: true, message: m });
  });

  it.each(serverMessages.map((m) => [toText(m), m] as const))('server %s', (_, m) => {
    expect(parseServerMessage(encodeMessage(m))).toStrictEqual({ ok: true, message: m });
  });

  it('knows all nine error codes', () => {
    expect(new Set(PROTOCOL_ERROR_CODES).size).toBe(9);
  });
});

describe.each<[string, Parser]>([
  ['client', parseClientMessage],
  ['server', parseServerMessage],
])('envelope errors (%s parser)', (_, parse) => {
  it.each<[string, string, ProtocolErrorCode]>([
    ['not JSON', '{v:1,', 'bad-json'],
    ['empty text', '', 'bad-json'],
    ['trailing garbage', '{"v":1,"type":"bye"}x', 'bad-json'],
    ['a JSON array', '[{"v":1,"type":"bye"}]', 'bad-message'],
    ['a JSON number', '42', 'bad-message'],
    ['JSON null', 'null', 'bad-message'],
    ['a JSON string', '"bye"', 'bad-message'],
    ['JSON true', 'true', 'bad-message'],
    ['missing v', '{"type":"bye"}', 'bad-message'],
    ['v as a string', '{"v":"1","type":"bye"}', 'bad-message'],
    ['v null', '{"v":null,"type":"bye"}', 'bad-message'],
    ['v only inside __proto__', '{"__proto__":{"v":1,"type":"bye"}}', 'bad-message'],
    ['v 2', '{"v":2,"type":"bye"}', 'unsupported-version'],
    ['v 0', '{"v":0,"type":"bye"}', 'unsupported-version'],
    ['v 1.5', '{"v":1.5,"type":"bye"}', 'unsupported-version'],
    ['v 2 with an unknown type', '{"v":2,"type":"future"}', 'unsupported-version'],
    ['missing type', '{"v":1}', 'bad-message'],
    ['type as a number', '{"v":1,"type":3}', 'bad-message'],
    ['an unknown type', '{"v":1,"type":"subscribe"}', 'unknown-type'],
    ['type "toString"', '{"v":1,"type":"toString"}', 'unknown-type'],
    ['type "constructor"', '{"v":1,"type":"constructor"}', 'unknown-type'],
    ['type "__proto__"', '{"v":1,"type":"__proto__"}', 'unknown-type'],
    ['type "hasOwnProperty"', '{"v":1,"type":"hasOwnProperty"}', 'unknown-type'],
  ])('%s → %s', (__, text, code) => {
    expectFailure(parse(text), code);
  });

  it('names v and type in its messages', () => {
    expectFailure(parse('{"type":"bye"}'), 'bad-message', 'v');
    expectFailure(parse('{"v":1}'), 'bad-message', 'type');
  });
});

describe('wrong direction → unknown-type', () => {
  it.each(['answer', 'ping', 'keyframe', 'hello'])('the server-message parser refuses %s', (type) => {
    const text = toText(message(type, { transport: 'webrtc', sdp: SDP, id: 1, t0: 1 }));
    expectFailure(parseServerMessage(text), 'unknown-type');
  });

  it.each(['welcome', 'offer', 'pong', 'error', 'clock', 'skip'])('the client-message parser refuses %s', (type) => {
    const fields = {
      session: 's', server: 's', iceServers: [], sdp: SDP, id: 1, t0: 1, t1: 2, code: 'internal', message: 'm', fatal: true,
      pts: 1, time: 2, from: 1, to: 2, reason: 'slow-reader',
    };
    expectFailure(parseClientMessage(toText(message(type, fields))), 'unknown-type');
  });
});

describe('client message fields', () => {
  const hello = { transport: 'webrtc', token: 't' };
  const ping = { id: 1, t0: 2 };
  const candidate = (fields: object): object => message('candidate', { candidate: { ...CANDIDATE, ...fields } });

  it.each<[string, ProtocolErrorCode, string, Input]>([
    ['hello without transport', 'bad-message', 'hello.transport', withoutField('hello', hello, 'transport')],
    ['hello transport 42', 'bad-message', 'hello.transport', message('hello', { transport: 42 })],
    ['hello transport too long', 'bad-message', 'hello.transport', message('hello', { transport: long(65) })],
    ['hello transport "hls"', 'unsupported-transport', 'hello.transport', message('hello', { transport: 'hls' })],
    ['hello transport "MSE"', 'unsupported-transport', 'hello.transport', message('hello', { transport: 'MSE' })],
    ['hello transport ""', 'unsupported-transport', 'hello.transport', message('hello', { transport: '' })],
    ['hello token 42', 'bad-message', 'hello.token', message('hello', { ...hello, token: 42 })],
    ['hello token null', 'bad-message', 'hello.token', message('hello', { ...hello, token: null })],
    ['hello token over 4 KiB', 'bad-message', 'hello.token', message('hello', { ...hello, token: long(4097) })],
    ['answer without sdp', 'bad-message', 'answer.sdp', message('answer')],
    ['answer sdp empty', 'bad-message', 'answer.sdp', message('answer', { sdp: '' })],
    ['answer sdp 42', 'bad-message', 'answer.sdp', message('answer', { sdp: 42 })],
    ['answer sdp not SDP', 'bad-message', 'answer.sdp', message('answer', { sdp: 'hello' })],
    ['answer sdp with v=0 not first', 'bad-message', 'answer.sdp', message('answer', { sdp: `x\r\n${SDP}` })],
    ['candidate without candidate', 'bad-message', 'candidate.candidate', message('candidate')],
    ['candidate as a string', 'bad-message', 'candidate.candidate', message('candidate', { candidate: HOST_CANDIDATE })],
    ['candidate as an array', 'bad-message', 'candidate.candidate', message('candidate', { candidate: [CANDIDATE] })],
    ['candidate.candidate missing', 'bad-message', 'candidate.candidate.candidate', message('candidate', { candidate: { sdpMid: '0' } })],
    ['candidate.candidate 42', 'bad-message', 'candidate.candidate.candidate', candidate({ candidate: 42 })],
    ['candidate.candidate null', 'bad-message', 'candidate.candidate.candidate', candidate({ candidate: null })],
    ['candidate.candidate over 1 KiB', 'bad-message', 'candidate.candidate.candidate', candidate({ candidate: long(1025, 'candidate:') })],
    ['candidate.candidate without "candidate:"', 'bad-message', 'candidate.candidate.candidate', candidate({ candidate: HOST_CANDIDATE.slice('candidate:'.length) })],
    ['candidate.candidate two lines', 'bad-message', 'candidate.candidate.candidate', candidate({ candidate: `${HOST_CANDIDATE}\r\na=x` })],
    ['sdpMid 0', 'bad-message', 'candidate.candidate.sdpMid', candidate({ sdpMid: 0 })],
    ['sdpMid too long', 'bad-message', 'candidate.candidate.sdpMid', candidate({ sdpMid: long(257) })],
    ['sdpMLineIndex -1', 'bad-message', 'candidate.candidate.sdpMLineIndex', candidate({ sdpMLineIndex: -1 })],
    ['sdpMLineIndex 0.5', 'bad-message', 'candidate.candidate.sdpMLineIndex', candidate({ sdpMLineIndex: 0.5 })],
    ['sdpMLineIndex "0"', 'bad-message', 'candidate.candidate.sdpMLineIndex', candidate({ sdpMLineIndex: '0' })],
    ['sdpMLineIndex 65536', 'bad-message', 'candidate.candidate.sdpMLineIndex', candidate({ sdpMLineIndex: 65536 })],
    ['usernameFragment 1', 'bad-message', 'candidate.candidate.usernameFragment', candidate({ usernameFragment: 1 })],
    ['usernameFragment too long', 'bad-message', 'candidate.candidate.usernameFragment', candidate({ usernameFragment: long(257) })],
    ['neither sdpMid nor sdpMLineIndex', 'bad-message', 'candidate.candidate.sdpMid', candidate({ sdpMid: null, sdpMLineIndex: null })],
    ['ping without id', 'bad-message', 'ping.id', withoutField('ping', ping, 'id')],
    ['ping id -1', 'bad-message', 'ping.id', message('ping', { ...ping, id: -1 })],
    ['ping id 1.5', 'bad-message', 'ping.id', message('ping', { ...ping, id: 1.5 })],
    ['ping id 2^53', 'bad-message', 'ping.id', message('ping', { ...ping, id: 2 ** 53 })],
    ['ping id "1"', 'bad-message', 'ping.id', message('ping', { ...ping, id: '1' })],
    ['ping without t0', 'bad-message', 'ping.t0', withoutField('ping', ping, 't0')],
    ['ping t0 "2"', 'bad-message', 'ping.t0', message('ping', { ...ping, t0: '2' })],
    ['ping t0 1e999 (Infinity)', 'bad-message', 'ping.t0', '{"v":1,"type":"ping","id":1,"t0":1e999}'],
    ['bye reason 42', 'bad-message', 'bye.reason', message('bye', { reason: 42 })],
    ['bye reason null', 'bad-message', 'bye.reason', message('bye', { reason: null })],
    ['bye reason over 256 chars', 'bad-message', 'bye.reason', message('bye', { reason: long(257) })],
  ])('%s → %s', (_, code, field, input) => {
    expectFailure(parseClientMessage(toText(input)), code, field);
  });
});

describe('server message fields', () => {
  const welcome = { session: 's', server: 'avatar-server', iceServers: [] };
  const withIce = (...iceServers: unknown[]): object => message('welcome', { ...welcome, iceServers });
  const pong = { id: 1, t0: 2, t1: 3 };
  const error = { code: 'internal', message: 'boom', fatal: true };
  const clock = { pts: 1.5, time: 1700000000000 };
  const skip = { from: 1, to: 2, reason: 'slow-reader' };
  const caption = { id: 'c', kind: 'caption', pts: 1, end: 2, text: 'hi' };
  const ice0 = 'welcome.iceServers[0]';

  it.each<[string, ProtocolErrorCode, string, Input]>([
    ['welcome without session', 'bad-message', 'welcome.session', withoutField('welcome', welcome, 'session')],
    ['welcome session empty', 'bad-message', 'welcome.session', message('welcome', { ...welcome, session: '' })],
    ['welcome session 1', 'bad-message', 'welcome.session', message('welcome', { ...welcome, session: 1 })],
    ['welcome session too long', 'bad-message', 'welcome.session', message('welcome', { ...welcome, session: long(257) })],
    ['welcome without server', 'bad-message', 'welcome.server', withoutField('welcome', welcome, 'server')],
    ['welcome server too long', 'bad-message', 'welcome.server', message('welcome', { ...welcome, server: long(257) })],
    ['welcome without iceServers', 'bad-message', 'welcome.iceServers', withoutField('welcome', welcome, 'iceServers')],
    ['welcome iceServers an object', 'bad-message', 'welcome.iceServers', message('welcome', { ...welcome, iceServers: {} })],
    ['welcome 17 iceServers', 'bad-message', 'welcome.iceServers', withIce(...Array(17).fill({ urls: 'stun:a' }))],
    ['an ice server that is a string', 'bad-message', ice0, withIce('stun:a')],
    ['an ice server that is null', 'bad-message', ice0, withIce(null)],
    ['an ice server without urls', 'bad-message', `${ice0}.urls`, withIce({})],
    ['urls 42', 'bad-message', `${ice0}.urls`, withIce({ urls: 42 })],
    ['urls http:', 'bad-message', `${ice0}.urls`, withIce({ urls: 'http://10.0.0.1/' })],
    ['urls too long', 'bad-message', `${ice0}.urls`, withIce({ urls: long(1025, 'stun:') })],
    ['urls empty array', 'bad-message', `${ice0}.urls`, withIce({ urls: [] })],
    ['urls 17 entries', 'bad-message', `${ice0}.urls`, withIce({ urls: Array(17).fill('stun:a') })],
    ['urls with a number', 'bad-message', `${ice0}.urls[1]`, withIce({ urls: ['stun:a', 42] })],
    ['the second server bad', 'bad-message', 'welcome.iceServers[1].urls', withIce({ urls: 'stun:a' }, { urls: 'ftp:b' })],
    ['turn without credentials', 'bad-message', `${ice0}.username`, withIce({ urls: 'turn:a' })],
    ['turns without credential', 'bad-message', `${ice0}.username`, withIce({ urls: ['stun:a', 'turns:a'], username: 'u' })],
    ['username 1', 'bad-message', `${ice0}.username`, withIce({ ...TURN, username: 1 })],
    ['credential null', 'bad-message', `${ice0}.credential`, withIce({ ...TURN, credential: null })],
    ['credential too long', 'bad-message', `${ice0}.credential`, withIce({ ...TURN, credential: long(1025) })],
    ['offer without sdp', 'bad-message', 'offer.sdp', message('offer')],
    ['offer sdp not SDP', 'bad-message', 'offer.sdp', message('offer', { sdp: 'o=-' })],
    ['candidate bad sdpMLineIndex', 'bad-message', 'candidate.candidate.sdpMLineIndex', message('candidate', { candidate: { ...CANDIDATE, sdpMLineIndex: -2 } })],
    ['pong without id', 'bad-message', 'pong.id', withoutField('pong', pong, 'id')],
    ['pong id -3', 'bad-message', 'pong.id', message('pong', { ...pong, id: -3 })],
    ['pong t0 null', 'bad-message', 'pong.t0', message('pong', { ...pong, t0: null })],
    ['pong without t1', 'bad-message', 'pong.t1', withoutField('pong', pong, 't1')],
    ['pong t1 -1e999', 'bad-message', 'pong.t1', '{"v":1,"type":"pong","id":1,"t0":2,"t1":-1e999}'],
    ['error without code', 'bad-message', 'error.code', withoutField('error', error, 'code')],
    ['error code unknown', 'bad-message', 'error.code', message('error', { ...error, code: 'teapot' })],
    ['error code "toString"', 'bad-message', 'error.code', message('error', { ...error, code: 'toString' })],
    ['error without message', 'bad-message', 'error.message', withoutField('error', error, 'message')],
    ['error message too long', 'bad-message', 'error.message', message('error', { ...error, message: long(1025) })],
    ['error without fatal', 'bad-message', 'error.fatal', withoutField('error', error, 'fatal')],
    ['error fatal "true"', 'bad-message', 'error.fatal', message('error', { ...error, fatal: 'true' })],
    ['error fatal 1', 'bad-message', 'error.fatal', message('error', { ...error, fatal: 1 })],
    ['bye reason over 256 chars', 'bad-message', 'bye.reason', message('bye', { reason: long(257) })],
    ['clock without pts', 'bad-message', 'clock.pts', withoutField('clock', clock, 'pts')],
    ['clock pts "1"', 'bad-message', 'clock.pts', message('clock', { ...clock, pts: '1' })],
    ['clock pts -0.5', 'bad-message', 'clock.pts', message('clock', { ...clock, pts: -0.5 })],
    ['clock pts null', 'bad-message', 'clock.pts', message('clock', { ...clock, pts: null })],
    ['clock pts 1e999 (Infinity)', 'bad-message', 'clock.pts', '{"v":1,"type":"clock","pts":1e999,"time":2}'],
    ['clock without time', 'bad-message', 'clock.time', withoutField('clock', clock, 'time')],
    ['clock time "now"', 'bad-message', 'clock.time', message('clock', { ...clock, time: 'now' })],
    ['clock time -1e999', 'bad-message', 'clock.time', '{"v":1,"type":"clock","pts":1,"time":-1e999}'],
    ['skip without from', 'bad-message', 'skip.from', withoutField('skip', skip, 'from')],
    ['skip from -1', 'bad-message', 'skip.from', message('skip', { ...skip, from: -1 })],
    ['skip from "1"', 'bad-message', 'skip.from', message('skip', { ...skip, from: '1' })],
    ['skip without to', 'bad-message', 'skip.to', withoutField('skip', skip, 'to')],
    ['skip to null', 'bad-message', 'skip.to', message('skip', { ...skip, to: null })],
    ['skip to before from', 'bad-message', 'skip.to', message('skip', { ...skip, from: 5, to: 4.99 })],
    ['skip without reason', 'bad-message', 'skip.reason', withoutField('skip', skip, 'reason')],
    ['skip reason unknown', 'bad-message', 'skip.reason', message('skip', { ...skip, reason: 'bored' })],
    ['skip reason 1', 'bad-message', 'skip.reason', message('skip', { ...skip, reason: 1 })],
    ['clock rtp not an object', 'bad-message', 'clock.rtp', message('clock', { ...clock, rtp: 5 })],
    ['clock rtp video 2^32', 'bad-message', 'clock.rtp.video', message('clock', { ...clock, rtp: { video: 2 ** 32, audio: 0 } })],
    ['clock rtp audio -1', 'bad-message', 'clock.rtp.audio', message('clock', { ...clock, rtp: { video: 0, audio: -1 } })],
    ['clock rtp audio 1.5', 'bad-message', 'clock.rtp.audio', message('clock', { ...clock, rtp: { video: 0, audio: 1.5 } })],
    ['cue without id', 'bad-message', 'cue.id', withoutField('cue', caption, 'id')],
    ['cue id empty', 'bad-message', 'cue.id', message('cue', { ...caption, id: '' })],
    ['cue kind unknown', 'bad-message', 'cue.kind', message('cue', { ...caption, kind: 'sneeze' })],
    ['cue pts -1', 'bad-message', 'cue.pts', message('cue', { ...caption, pts: -1 })],
    ['caption without end', 'bad-message', 'cue.end', withoutField('cue', caption, 'end')],
    ['caption end = pts', 'bad-message', 'cue.end', message('cue', { ...caption, end: 1 })],
    ['caption without text', 'bad-message', 'cue.text', withoutField('cue', caption, 'text')],
    ['caption text over 2000 chars', 'bad-message', 'cue.text', message('cue', { ...caption, text: long(2001) })],
    ['app cue without data', 'bad-message', 'cue.data', message('cue', { id: 'a', kind: 'app', pts: 1 })],
    ['app cue data nested 40 deep', 'bad-message', 'cue.data', message('cue', { id: 'a', kind: 'app', pts: 1, data: JSON.parse('['.repeat(40) + ']'.repeat(40)) })],
    ['cue clip not a string', 'bad-message', 'cue.clip', message('cue', { ...caption, clip: 7 })],
  ])('%s → %s', (_, code, field, input) => {
    expectFailure(parseServerMessage(toText(input)), code, field);
  });
});

describe('size limit, measured in UTF-8 bytes', () => {
  const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

  /** An answer whose SDP is padded with `filler` (and then ASCII) up to exactly `bytes` UTF-8 bytes. */
  function answerOfBytes(bytes: number, filler: string, fillerBytes: number): string {
    const head = '{"v":1,"type":"answer","sdp":"v=0';
    const tail = '"}';
    const room = bytes - utf8Length(head + tail);
    const fillers = Math.floor(room / fillerBytes);
    return head + filler.repeat(fillers) + 'a'.repeat(room - fillers * fillerBytes) + tail;
  }

  it.each<[string, string, number]>([
    ['ASCII', 'a', 1],
    ['2-byte é', 'é', 2],
    ['3-byte €', '€', 3],
    ['4-byte emoji (a surrogate pair)', '😀', 4],
    ['lone surrogates (3 bytes each as U+FFFD)', '\ud800', 3],
  ])('%s: exactly the limit parses, one byte more is too-large', (_, filler, fillerBytes) => {
    const atLimit = answerOfBytes(MAX_MESSAGE_BYTES, filler, fillerBytes);
    const overLimit = answerOfBytes(MAX_MESSAGE_BYTES + 1, filler, fillerBytes);
    expect(utf8Length(atLimit)).toBe(MAX_MESSAGE_BYTES);
    expect(utf8Length(overLimit)).toBe(MAX_MESSAGE_BYTES + 1);
    if (fillerBytes > 1) expect(overLimit.length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(parseClientMessage(atLimit).ok).toBe(true);
    expectFailure(parseClientMessage(overLimit), 'too-large');
    expectFailure(parseServerMessage(overLimit), 'too-large');
  });

  it('refuses an oversized text even when it is not JSON', () => {
    expectFailure(parseServerMessage('x'.repeat(MAX_MESSAGE_BYTES + 1)), 'too-large');
  });

  it('keeps an SDP of up to the limit: the message size is what bounds it', () => {
    expect(PROTOCOL_LIMITS.sdpLength).toBe(MAX_MESSAGE_BYTES);
  });
});

describe('unknown fields are dropped', () => {
  it.each<[string, Parser, object, object]>([
    [
      'top level',
      parseClientMessage,
      { v: 1, type: 'ping', id: 1, t0: 2, extra: 'x', nested: { deep: [1] } },
      { v: 1, type: 'ping', id: 1, t0: 2 },
    ],
    [
      'inside a candidate',
      parseClientMessage,
      { v: 1, type: 'candidate', candidate: { candidate: '', foundation: '1', relatedPort: 9 } },
      { v: 1, type: 'candidate', candidate: { candidate: '' } },
    ],
    [
      'inside an ice server',
      parseServerMessage,
      { v: 1, type: 'welcome', session: 's', server: 'x', iceServers: [{ urls: 'stun:a', credentialType: 'password' }], cues: true },
      { v: 1, type: 'welcome', session: 's', server: 'x', iceServers: [{ urls: 'stun:a' }] },
    ],
    [
      'on a clock message',
      parseServerMessage,
      { v: 1, type: 'clock', pts: 2, time: 3, rate: 1.0, track: 'video' },
      { v: 1, type: 'clock', pts: 2, time: 3 },
    ],
    [
      'on a message without fields',
      parseClientMessage,
      { v: 1, type: 'keyframe', reason: 'decoder lost sync' },
      { v: 1, type: 'keyframe' },
    ],
  ])('%s', (_, parse, input, expected) => {
    expect(parse(JSON.stringify(input))).toStrictEqual({ ok: true, message: expected });
  });
});

describe('__proto__ and friends do not pass through', () => {
  const polluter = '"__proto__":{"polluted":true,"reason":"inherited"},"constructor":{"prototype":{"polluted":true}}';

  it.each<[string, Parser, string, object]>([
    ['top level', parseClientMessage, `{"v":1,"type":"bye",${polluter}}`, { v: 1, type: 'bye' }],
    [
      'inside a candidate',
      parseServerMessage,
      `{"v":1,"type":"candidate","candidate":{"candidate":"",${polluter}}}`,
      { v: 1, type: 'candidate', candidate: { candidate: '' } },
    ],
    [
      'inside an ice server',
      parseServerMessage,
      `{"v":1,"type":"welcome","session":"s","server":"x","iceServers":[{"urls":"stun:a",${polluter}}]}`,
      { v: 1, type: 'welcome', session: 's', server: 'x', iceServers: [{ urls: 'stun:a' }] },
    ],
  ])('%s', (_, parse, text, expected) => {
    const result = parse(text);
    expect(result).toStrictEqual({ ok: true, message: expected });
    if (!result.ok) return;
    for (const value of objectsIn(result.message)) {
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, '__proto__')).toBe(false);
      expect(Object.hasOwn(value, 'constructor')).toBe(false);
      expect('polluted' in value).toBe(false);
    }
    expect('polluted' in {}).toBe(false);
  });
});

function objectsIn(value: unknown): object[] {
  if (typeof value !== 'object' || value === null) return [];
  const children = Array.isArray(value) ? value : Object.values(value);
  return [...(Array.isArray(value) ? [] : [value]), ...children.flatMap(objectsIn)];
}

describe('cue messages', () => {
  it('keep only the fields of their kind', () => {
    const parsed = parseServerMessage('{"v":1,"type":"cue","id":"s","kind":"speech-start","pts":1,"text":"x","data":{"a":1},"end":3}');
    expect(parsed).toStrictEqual({ ok: true, message: { v: 1, type: 'cue', id: 's', kind: 'speech-start', pts: 1 } });
  });

  it('drop __proto__ keys from application data', () => {
    const parsed = parseServerMessage('{"v":1,"type":"cue","id":"a","kind":"app","pts":1,"data":{"__proto__":{"polluted":true},"ok":[{"__proto__":1,"b":2}]}}');
    expect(parsed).toStrictEqual({ ok: true, message: { v: 1, type: 'cue', id: 'a', kind: 'app', pts: 1, data: { ok: [{ b: 2 }] } } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
