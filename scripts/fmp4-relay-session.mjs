// One relay connection: sends a scheduled fMP4 stream in real time from the moment of connection (each unit at
// its start or, with pace=end, its end time), looping
// it (so the stream restarts at t=0 with a new init, as a restarted source does), with the faults its
// options ask for. Every timer belongs to the session and is cleared when the socket closes.
import { ODD_CHUNK_SIZES } from './fmp4-relay-options.mjs';

/** Units sent in one go before yielding to the event loop (a stall's backlog may be large). */
const MAX_UNITS_PER_TURN = 64;
const GARBAGE_BYTES = 200;

/** Deterministic garbage; byte 4–7 (where a box type would be) are not printable, so it cannot pass for a box. */
export const CORRUPT_BYTES = (() => {
  const bytes = new Uint8Array(GARBAGE_BYTES);
  let state = 0x5eed1234;
  for (let i = 0; i < bytes.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  bytes.set([0x01, 0x9f, 0x00, 0xfe], 4);
  return bytes;
})();

/**
 * @param {import('ws').WebSocket} socket
 * @param {ReturnType<typeof import('./fmp4-schedule.mjs').scheduleFmp4Stream>} schedule
 * @param {ReturnType<typeof import('./fmp4-relay-options.mjs').parseRelayOptions>} options
 * @param {{ maxConnectionMs: number; maxBufferedBytes: number; onEnd: () => void }} limits
 */
export function runRelaySession(socket, schedule, options, limits) {
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  const stall = options.stallAtMs === undefined ? undefined : { from: options.stallAtMs, to: options.stallAtMs + options.stallMs };
  const stalledAt = (ms) => stall !== undefined && ms >= stall.from && ms < stall.to;
  let unitIndex = 0;
  let loop = 0;
  let previousKind;
  let corruptPending = options.corruptAtMs !== undefined;
  let chunkTurn = 0;
  let textSeq = 0;
  let pumpTimer;
  let textTimer;
  let closed = false;

  const lifetimeTimer = setTimeout(() => socket.close(1000, 'relay: connection time limit'), limits.maxConnectionMs);
  socket.once('close', () => {
    closed = true;
    clearTimeout(lifetimeTimer);
    clearTimeout(pumpTimer);
    clearTimeout(textTimer);
    limits.onEnd();
  });
  socket.on('error', () => socket.terminate());
  socket.on('message', () => {}); // the stream is one-way; whatever the client says is ignored

  function pump() {
    pumpTimer = undefined;
    if (closed || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) return socket.close(1008, 'relay: client does not read');
    const now = elapsed();
    for (let sent = 0; sent < MAX_UNITS_PER_TURN; sent++) {
      const unit = schedule.units[unitIndex];
      const atMs = loop * schedule.durationMs + (options.pace === 'end' ? unit.endMs : unit.atMs);
      const dueMs = stalledAt(atMs) ? stall.to : atMs;
      if (dueMs > now) {
        pumpTimer = setTimeout(pump, dueMs - now);
        return;
      }
      if (corruptPending && unit.kind === 'fragment' && previousKind === 'fragment' && atMs >= options.corruptAtMs) {
        corruptPending = false;
        sendPieces([CORRUPT_BYTES]);
      }
      sendPieces(options.chunks === 'box' ? unit.boxes : [unit.bytes]);
      previousKind = unit.kind;
      unitIndex++;
      if (unitIndex === schedule.units.length) {
        unitIndex = 0;
        loop++;
      }
    }
    pumpTimer = setTimeout(pump, 0);
  }

  function sendPieces(pieces) {
    for (const piece of pieces) {
      if (options.chunks !== 'odd') {
        socket.send(piece, { binary: true });
        continue;
      }
      for (let offset = 0; offset < piece.length; ) {
        const size = ODD_CHUNK_SIZES[chunkTurn++ % ODD_CHUNK_SIZES.length];
        socket.send(piece.subarray(offset, offset + size), { binary: true });
        offset += size;
      }
    }
  }

  function scheduleText() {
    if (closed) return;
    textSeq++;
    const dueMs = textSeq * options.textEveryMs;
    textTimer = setTimeout(() => {
      // A stalled socket carries nothing, metadata included.
      if (socket.readyState === socket.OPEN && !stalledAt(dueMs)) {
        socket.send(JSON.stringify({ type: 'metadata', seq: textSeq, atMs: dueMs }));
      }
      scheduleText();
    }, Math.max(0, dueMs - elapsed()));
  }

  pump();
  if (options.textEveryMs !== undefined) scheduleText();
}
