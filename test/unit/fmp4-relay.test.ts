// The browser tests' fMP4 relay (scripts/fmp4-relay.mjs), against real ffmpeg-made streams over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CORRUPT_BYTES,
  makeFmp4TestStreams,
  ODD_CHUNK_SIZES,
  startFmp4Relay,
  type Fmp4Relay,
  type Fmp4Schedule,
  type Fmp4Variant,
} from '../../scripts/fmp4-relay.mjs';

const STREAM_SECONDS = 2;
const PACING_TOLERANCE_MS = 50;

interface Received {
  /** ms after the client saw the socket open. */
  atMs: number;
  binary: Buffer | undefined;
  text: string | undefined;
}

let relay: Fmp4Relay;
let streams: Map<Fmp4Variant, Uint8Array>;

beforeAll(async () => {
  streams = await makeFmp4TestStreams({ variants: ['h264-aac', 'small-fragments', 'resolution-change'], seconds: STREAM_SECONDS });
  relay = await startFmp4Relay({ streams, maxConnections: 12 });
});

afterAll(async () => {
  await relay?.close();
});

const bytesOf = (variant: Fmp4Variant): Uint8Array => streams.get(variant)!;
const scheduleOf = (variant: Fmp4Variant): Fmp4Schedule => relay.schedules.get(variant)!;
const binaryOf = (messages: Received[]): Buffer[] => messages.flatMap((m) => (m.binary ? [m.binary] : []));
const concatBinary = (messages: Received[]): Buffer => Buffer.concat(binaryOf(messages));

/** Messages from `url` until `bytes` binary bytes have come (or, with `ms`, until that long after open). */
function record(url: string, until: { bytes?: number; ms?: number }, timeoutMs = 8_000): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: Received[] = [];
    let openedAt = 0;
    let bytes = 0;
    let done = false;
    const finish = (error?: Error) => {
      done = true;
      clearTimeout(guard);
      clearTimeout(stopAfter);
      socket.close();
      if (error) reject(error);
      else resolve(messages);
    };
    const guard = setTimeout(() => finish(new Error(`${url}: only ${bytes} bytes in ${timeoutMs} ms`)), timeoutMs);
    let stopAfter: NodeJS.Timeout | undefined;
    socket.on('open', () => {
      openedAt = performance.now();
      if (until.ms !== undefined) stopAfter = setTimeout(() => finish(), until.ms);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (done) return;
      const atMs = performance.now() - openedAt;
      messages.push({ atMs, binary: isBinary ? data : undefined, text: isBinary ? undefined : data.toString('utf8') });
      if (isBinary) bytes += data.length;
      if (until.bytes !== undefined && bytes >= until.bytes) finish();
    });
    socket.on('unexpected-response', (_request, response) => finish(new Error(`${url}: HTTP ${response.statusCode}`)));
    socket.on('error', (error) => finish(error));
  });
}

/** The HTTP status with which the relay refuses (or accepts: 101) an upgrade to `url`. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.on('error', (error) => reject(error));
  });
}

function expectNear(actualMs: number, expectedMs: number, what: string): void {
  expect(Math.abs(actualMs - expectedMs), `${what}: at ${actualMs.toFixed(0)} ms, due ${expectedMs.toFixed(0)} ms`).toBeLessThanOrEqual(
    PACING_TOLERANCE_MS,
  );
}

/** Offsets at which each top-level box starts in a stream of back-to-back boxes. */
function boxStarts(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += view.getUint32(offset)) starts.push(offset);
  return starts;
}

// Concurrent: each test mostly waits on a real-time stream; `expect.poll` then needs the test's own expect.
describe.concurrent('fMP4 relay', () => {
  it('schedules each part of a stream from its decode times; a new init starts a part where the last ended', () => {
    const plain = scheduleOf('h264-aac');
    expect(plain.units.map((unit) => unit.kind).join()).toBe(['init', ...Array(STREAM_SECONDS).fill('fragment')].join());
    expect(Math.abs(plain.durationMs - STREAM_SECONDS * 1000)).toBeLessThan(50);
    expect(Buffer.concat(plain.units.map((unit) => unit.bytes)).equals(bytesOf('h264-aac'))).toBe(true);

    const small = scheduleOf('small-fragments').units.filter((unit) => unit.kind === 'fragment');
    const gaps = small.slice(1).map((unit, i) => unit.atMs - small[i]!.atMs);
    expect(small.length).toBeGreaterThanOrEqual(STREAM_SECONDS * 9);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(120);

    const changing = scheduleOf('resolution-change');
    const inits = changing.units.filter((unit) => unit.kind === 'init');
    expect(inits.length).toBe(2);
    expect(inits[1]!.atMs).toBeGreaterThan(900);
    expect(Math.abs(changing.durationMs - 2 * inits[1]!.atMs)).toBeLessThan(50);
  });

  it('sends the stream byte for byte, one message per init and fragment, each when its decode time comes', async () => {
    const file = bytesOf('small-fragments');
    const { units } = scheduleOf('small-fragments');
    const messages = await record(`${relay.baseUrl}/small-fragments`, { bytes: file.length });
    expect(concatBinary(messages).equals(Buffer.from(file))).toBe(true);
    expect(messages.length).toBe(units.length);
    messages.forEach((message, i) => expectNear(message.atMs, units[i]!.atMs, `unit ${i}`));
  });

  it('loops: after one pass the same bytes come again, from the init, one stream duration later; chunks=box sends whole boxes', async () => {
    const file = bytesOf('h264-aac');
    const { units, durationMs } = scheduleOf('h264-aac');
    const secondPassHead = units[0]!.bytes.length + units[1]!.bytes.length;
    const messages = await record(`${relay.baseUrl}/h264-aac?chunks=box`, { bytes: file.length + secondPassHead });
    const received = concatBinary(messages);
    expect(received.subarray(0, file.length).equals(Buffer.from(file))).toBe(true);
    expect(received.subarray(file.length).equals(Buffer.from(file.subarray(0, secondPassHead)))).toBe(true);
    for (const message of binaryOf(messages)) expect(message.readUInt32BE(0)).toBe(message.length);

    let offset = 0;
    const loopStart = messages.find((message) => {
      offset += message.binary!.length;
      return offset > file.length;
    })!;
    expectNear(loopStart.atMs, durationMs, 'second pass');
  });

  it('pace=end sends each fragment when its last sample has passed, as a live encoder would', async () => {
    const file = bytesOf('h264-aac');
    const { units } = scheduleOf('h264-aac');
    const messages = await record(`${relay.baseUrl}/h264-aac?pace=end`, { bytes: file.length });
    expect(concatBinary(messages).equals(Buffer.from(file))).toBe(true);
    expect(units[1]!.endMs - units[1]!.atMs).toBeGreaterThan(900);
    messages.forEach((message, i) => expectNear(message.atMs, units[i]!.endMs, `unit ${i}`));
  });

  it('chunks=odd cuts messages to 7, 1000, 3, 4093, 1 bytes in turn, splitting boxes and box headers', async () => {
    const file = bytesOf('small-fragments');
    const { units } = scheduleOf('small-fragments');
    const messages = await record(`${relay.baseUrl}/small-fragments?chunks=odd`, { bytes: file.length });
    expect(concatBinary(messages).equals(Buffer.from(file))).toBe(true);

    let turn = 0;
    const expectedSizes = units.flatMap((unit) => {
      const sizes: number[] = [];
      for (let left = unit.bytes.length; left > 0; ) {
        const size = ODD_CHUNK_SIZES[turn++ % ODD_CHUNK_SIZES.length]!;
        sizes.push(Math.min(size, left));
        left -= size;
      }
      return sizes;
    });
    expect(binaryOf(messages).map((message) => message.length)).toEqual(expectedSizes);

    const boundaries = new Set<number>();
    let offset = 0;
    for (const message of binaryOf(messages)) boundaries.add((offset += message.length));
    const starts = boxStarts(file);
    const splitHeaders = starts.filter((start) => [1, 2, 3, 4, 5, 6, 7].some((k) => boundaries.has(start + k)));
    const unalignedStarts = starts.filter((start) => start > 0 && !boundaries.has(start));
    expect(splitHeaders.length).toBeGreaterThan(0);
    expect(unalignedStarts.length).toBeGreaterThan(0);
  });

  it('stallAtMs/stallMs: nothing during the stall, then the backlog at once, then real time again', async () => {
    const file = bytesOf('small-fragments');
    const { units } = scheduleOf('small-fragments');
    const [stallAt, stallEnd] = [500, 1500];
    const messages = await record(`${relay.baseUrl}/small-fragments?stallAtMs=${stallAt}&stallMs=${stallEnd - stallAt}`, { bytes: file.length });
    expect(concatBinary(messages).equals(Buffer.from(file))).toBe(true);
    const backlog = units.filter((unit) => unit.atMs >= stallAt && unit.atMs < stallEnd).length;
    expect(backlog).toBeGreaterThanOrEqual(8);
    messages.forEach((message, i) => {
      const dueMs = units[i]!.atMs;
      expectNear(message.atMs, dueMs >= stallAt && dueMs < stallEnd ? stallEnd : dueMs, `unit ${i}`);
    });
    const during = messages.filter((message) => message.atMs > stallAt + PACING_TOLERANCE_MS && message.atMs < stallEnd - PACING_TOLERANCE_MS);
    expect(during).toEqual([]);
  });

  it('corruptAtMs: CORRUPT_BYTES once, between the two fragments around that time; the rest byte for byte', async () => {
    const file = bytesOf('small-fragments');
    const { units } = scheduleOf('small-fragments');
    const corruptAt = 700;
    const target = units.findIndex((unit, i) => unit.kind === 'fragment' && units[i - 1]?.kind === 'fragment' && unit.atMs >= corruptAt);
    const insertAt = units[target]!.bytes.byteOffset - file.byteOffset;
    const expected = Buffer.concat([file.subarray(0, insertAt), CORRUPT_BYTES, file.subarray(insertAt)]);

    const messages = await record(`${relay.baseUrl}/small-fragments?corruptAtMs=${corruptAt}`, { bytes: expected.length });
    expect(concatBinary(messages).equals(expected)).toBe(true);
    const garbage = messages[target]!;
    expect(garbage.binary!.equals(Buffer.from(CORRUPT_BYTES))).toBe(true);
    expectNear(garbage.atMs, units[target]!.atMs, 'the garbage');
    expect(CORRUPT_BYTES.length).toBe(200);
    expect([...CORRUPT_BYTES.subarray(4, 8)].some((byte) => byte < 0x20 || byte > 0x7e)).toBe(true);
  });

  it('textEveryMs: JSON text messages in between, on time; the binary stream is unchanged', async () => {
    const file = bytesOf('h264-aac');
    const messages = await record(`${relay.baseUrl}/h264-aac?chunks=odd&textEveryMs=200`, { ms: 1_100 });
    const texts = messages.flatMap((message) => (message.text === undefined ? [] : [{ atMs: message.atMs, body: JSON.parse(message.text) as unknown }]));
    expect(texts.map((text) => text.body)).toEqual([1, 2, 3, 4, 5].map((seq) => ({ type: 'metadata', seq, atMs: seq * 200 })));
    texts.forEach((text, i) => expectNear(text.atMs, (i + 1) * 200, `text ${i + 1}`));
    const received = concatBinary(messages);
    expect(received.length).toBeGreaterThan(0);
    expect(received.equals(Buffer.from(file.subarray(0, received.length)))).toBe(true);
  });

  it('refuses unknown streams (404), bad options (400) and connections past its limit (503)', async ({ expect }) => {
    expect(await upgradeStatus(`${relay.baseUrl}/nope`)).toBe(404);
    expect(await upgradeStatus(`${relay.baseUrl.replace('/fmp4', '/other')}/h264-aac`)).toBe(404);
    expect(await upgradeStatus(`${relay.baseUrl}/h264-aac?chunks=tiny`)).toBe(400);
    expect(await upgradeStatus(`${relay.baseUrl}/h264-aac?pace=soon`)).toBe(400);
    expect(await upgradeStatus(`${relay.baseUrl}/h264-aac?speed=2`)).toBe(400);
    expect(await upgradeStatus(`${relay.baseUrl}/h264-aac?stallAtMs=100`)).toBe(400);
    expect(await upgradeStatus(`${relay.baseUrl}/h264-aac?corruptAtMs=-5`)).toBe(400);
    expect(await upgradeStatus(`${relay.baseUrl}/h264-aac?textEveryMs=0`)).toBe(400);

    const single = await startFmp4Relay({ streams, maxConnections: 1 });
    try {
      const first = new WebSocket(`${single.baseUrl}/h264-aac`);
      await new Promise((resolve) => first.once('open', resolve));
      expect(await upgradeStatus(`${single.baseUrl}/h264-aac`)).toBe(503);
      first.close();
      await new Promise((resolve) => first.once('close', resolve));
      await expect.poll(() => single.connectionCount(), { timeout: 2_000 }).toBe(0);
      expect(await upgradeStatus(`${single.baseUrl}/h264-aac`)).toBe(101);
    } finally {
      await single.close();
    }
  });

  it('closes connections at its time limit and on close(); /health counts them', async ({ expect }) => {
    const limited = await startFmp4Relay({ streams, maxConnectionMs: 300 });
    try {
      const socket = new WebSocket(`${limited.baseUrl}/h264-aac`);
      await new Promise((resolve) => socket.once('open', resolve));
      const health = (await (await fetch(`${limited.httpUrl}/health`)).json()) as { connections: number };
      expect(health.connections).toBe(1);
      const code = await new Promise<number>((resolve) => socket.once('close', (closeCode: number) => resolve(closeCode)));
      expect(code).toBe(1000);
      await expect.poll(() => limited.connectionCount(), { timeout: 2_000 }).toBe(0);

      const open = new WebSocket(`${limited.baseUrl}/h264-aac`);
      await new Promise((resolve) => open.once('open', resolve));
      const closed = new Promise((resolve) => open.once('close', resolve));
      await limited.close();
      await closed;
      expect(limited.connectionCount()).toBe(0);
    } finally {
      limited.closeNow();
    }
  });
});
