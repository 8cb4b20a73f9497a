/**
 * A test client of the reference server's MSE path: a real `ws` WebSocket that says hello with transport "mse"
 * and records, in arrival order, every text message and binary frame with its arrival time.
 */
import { createFile, MP4BoxBuffer, type Sample, type Track } from 'mp4box';
import WebSocket from 'ws';
import { wallClockMs } from '../../../server/playout/playout.js';
import type { ServerMessage } from '../../../src/protocol.js';
import { parseServerMessage } from '../../../src/protocol-validation.js';

export type Received = { kind: 'text'; at: number; message: ServerMessage } | { kind: 'binary'; at: number; bytes: Uint8Array };

export class MseClient {
  readonly received: Received[] = [];
  readonly closed: Promise<number>;
  private readonly socket: WebSocket;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data, isBinary) => {
      const at = wallClockMs();
      const bytes = toBytes(data);
      if (isBinary) return void this.received.push({ kind: 'binary', at, bytes });
      // The server's messages go through the same validation as the player's.
      const parsed = parseServerMessage(new TextDecoder().decode(bytes));
      if (!parsed.ok) throw new Error(`the server sent an invalid message: ${parsed.error.message}`);
      this.received.push({ kind: 'text', at, message: parsed.message });
    });
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
  }

  static async connect(url: string, hello: object = { type: 'hello', transport: 'mse' }): Promise<MseClient> {
    const client = new MseClient(url);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
    });
    client.send(hello);
    return client;
  }

  send(data: object | Uint8Array): void {
    this.socket.send(data instanceof Uint8Array ? data : JSON.stringify({ v: 1, ...data }));
  }

  /** Stops reading from the TCP socket, as a client on a congested link would. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.close();
  }

  texts<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.received.flatMap((r) => (r.kind === 'text' && r.message.type === type ? [r.message as Extract<ServerMessage, { type: T }>] : []));
  }

  /** Text messages of one type with their arrival times. */
  timedTexts<T extends ServerMessage['type']>(type: T): { at: number; message: Extract<ServerMessage, { type: T }> }[] {
    return this.received.flatMap((r) => (r.kind === 'text' && r.message.type === type ? [{ at: r.at, message: r.message as Extract<ServerMessage, { type: T }> }] : []));
  }

  binaries(): Extract<Received, { kind: 'binary' }>[] {
    return this.received.filter((r): r is Extract<Received, { kind: 'binary' }> => r.kind === 'binary');
  }

  /** The tfdt of every fragment of a track, in order. (mp4box derives each dts from the previous duration instead.) */
  decodeTimes(trackId: number): number[] {
    return this.binaries().flatMap((b) => {
      const info = frameInfo(b.bytes);
      return info.kind === 'fragment' && info.trackId === trackId ? [info.baseDecodeTime] : [];
    });
  }

  /** Every binary frame, concatenated: the fMP4 byte stream. */
  stream(): Uint8Array {
    return concat(this.binaries().map((b) => b.bytes));
  }

  async waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await until(condition, what, timeoutMs);
  }
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return new Uint8Array(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

// ---- just enough ISO-BMFF reading to tell what each binary frame is ----

export interface Box {
  type: string;
  /** Payload (after the 8-byte header). */
  body: Uint8Array;
}

export function boxesOf(bytes: Uint8Array): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size = view.getUint32(offset);
    if (size < 8 || offset + size > bytes.length) throw new Error(`bad box size ${size} at ${offset}`);
    boxes.push({ type: String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)), body: bytes.subarray(offset + 8, offset + size) });
    offset += size;
  }
  return boxes;
}

export type FrameInfo =
  | { kind: 'init' }
  | { kind: 'fragment'; trackId: number; baseDecodeTime: number; samples: number; firstIsSync: boolean };

/** What one binary frame holds, assuming the server sends whole boxes per frame (clients must not). */
export function frameInfo(bytes: Uint8Array): FrameInfo {
  const top = boxesOf(bytes);
  if (top[0]?.type === 'ftyp') return { kind: 'init' };
  const moof = top.find((b) => b.type === 'moof');
  if (!moof || top.length !== 2 || top[1]!.type !== 'mdat') throw new Error(`a frame of ${top.map((b) => b.type).join('+')}`);
  const trafs = boxesOf(moof.body).filter((b) => b.type === 'traf');
  if (trafs.length !== 1) throw new Error(`a fragment with ${trafs.length} trafs`);
  const children = boxesOf(trafs[0]!.body);
  const body = (type: string) => {
    const found = children.find((b) => b.type === type);
    if (!found) throw new Error(`no ${type} in the traf`);
    return new DataView(found.body.buffer, found.body.byteOffset, found.body.byteLength);
  };
  const tfhd = body('tfhd');
  const tfdt = body('tfdt');
  const trun = body('trun');
  const baseDecodeTime = tfdt.getUint8(0) === 1 ? Number(tfdt.getBigUint64(4)) : tfdt.getUint32(4);
  // trun flags as the writer sets them: data offset, then per sample duration, size, flags, composition offset
  const firstSampleFlags = trun.getUint32(4 + 4 + 4 + 8);
  return {
    kind: 'fragment',
    trackId: tfhd.getUint32(4),
    baseDecodeTime,
    samples: trun.getUint32(4),
    firstIsSync: (firstSampleFlags & 0x00010000) === 0,
  };
}

/** The byte stream cut before each init segment: one part per codec configuration. */
export function splitAtInitSegments(stream: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  let offset = 0;
  for (const box of boxesOf(stream)) {
    if (box.type === 'ftyp' && offset > start) {
      parts.push(stream.subarray(start, offset));
      start = offset;
    }
    offset += box.body.length + 8;
  }
  parts.push(stream.subarray(start));
  return parts;
}

// ---- an independent reading of the stream: mp4box, fed frame by frame as a browser's demuxer would be ----

export interface ParsedStream {
  tracks: Track[];
  /** Samples by track id, in decode order. */
  samples: Map<number, Sample[]>;
  error: string | undefined;
}

/** Parses one codec configuration's worth of stream (an init segment and its fragments) with mp4box. */
export function parseWithMp4box(chunks: Uint8Array[]): ParsedStream {
  const file = createFile();
  const samples = new Map<number, Sample[]>();
  let tracks: Track[] = [];
  let error: string | undefined;
  file.onError = (module, message) => {
    error ??= `${module}: ${message}`;
  };
  file.onReady = (movie) => {
    tracks = movie.tracks;
    for (const track of movie.tracks) {
      samples.set(track.id, []);
      file.setExtractionOptions(track.id, undefined, { nbSamples: 1 });
    }
    file.start();
  };
  file.onSamples = (id, _user, batch) => {
    samples.get(id)?.push(...batch);
  };
  let fileStart = 0;
  for (const chunk of chunks) {
    const copy = new ArrayBuffer(chunk.byteLength);
    new Uint8Array(copy).set(chunk);
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy, fileStart));
    fileStart += chunk.byteLength;
  }
  file.flush();
  if (tracks.length === 0) throw new Error(`mp4box found no moov${error ? ` (${error})` : ''}`);
  return { tracks, samples, error };
}
