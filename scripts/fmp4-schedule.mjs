// When a live source would emit each part of an fMP4 byte stream: top-level boxes grouped into units
// (an init = ftyp + moov; a fragment = moof + mdat + whatever follows before the next moof or init), each
// stamped with the media times at which it starts and ends (an init: its part's start, for both). A new ftyp/moov starts a new part whose decode times may
// restart at 0; parts follow each other on the schedule without a gap.

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'mvex', 'moof', 'traf']);

/**
 * @param {Uint8Array} bytes
 * @returns {{ units: { kind: 'init' | 'fragment'; atMs: number; endMs: number; boxes: Uint8Array[]; bytes: Uint8Array }[]; durationMs: number }}
 */
export function scheduleFmp4Stream(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pending = [];
  let part;
  for (const box of readBoxes(view, 0, bytes.length)) {
    const unit = pending.at(-1);
    if (box.type === 'ftyp' || (box.type === 'moov' && unit?.kind !== 'init')) {
      part = { timescales: new Map(), trexDurations: new Map(), start: Infinity, end: -Infinity };
      pending.push({ kind: 'init', part, decodeSeconds: 0, boxes: [box] });
    } else if (box.type === 'moof') {
      if (!part) throw new Error(`fMP4 stream: moof at byte ${box.start} before any moov`);
      const { decode, end } = fragmentTimes(view, box, part);
      part.start = Math.min(part.start, decode);
      part.end = Math.max(part.end, end);
      pending.push({ kind: 'fragment', part, decodeSeconds: decode, endSeconds: end, boxes: [box] });
    } else if (unit) {
      unit.boxes.push(box);
    } else {
      throw new Error(`fMP4 stream: starts with ${box.type}, not ftyp or moov`);
    }
    if (box.type === 'moov') readTrackDefaults(view, box, part);
  }
  return placeOnSchedule(bytes, pending);
}

function placeOnSchedule(bytes, pending) {
  const units = [];
  let partOffsetMs = 0;
  let currentPart;
  for (const unit of pending) {
    if (unit.part !== currentPart) {
      if (currentPart) partOffsetMs += partLengthMs(currentPart);
      currentPart = unit.part;
    }
    const startSeconds = unit.kind === 'init' ? 0 : unit.decodeSeconds - unit.part.start;
    const endSeconds = unit.kind === 'init' ? 0 : unit.endSeconds - unit.part.start;
    const first = unit.boxes[0];
    const last = unit.boxes.at(-1);
    units.push({
      kind: unit.kind,
      atMs: partOffsetMs + startSeconds * 1000,
      endMs: partOffsetMs + endSeconds * 1000,
      boxes: unit.boxes.map((box) => bytes.subarray(box.start, box.end)),
      bytes: bytes.subarray(first.start, last.end),
    });
  }
  if (!currentPart) throw new Error('fMP4 stream: no boxes');
  const durationMs = partOffsetMs + partLengthMs(currentPart);
  if (!(durationMs > 0)) throw new Error('fMP4 stream: no media duration (no fragments?)');
  return { units, durationMs };
}

function partLengthMs(part) {
  return part.end > part.start ? (part.end - part.start) * 1000 : 0;
}

function readBoxes(view, start, end) {
  const boxes = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) throw new Error(`fMP4 stream: ${end - offset} stray bytes at ${offset}`);
    let size = view.getUint32(offset);
    const type = fourCC(view, offset + 4);
    let headerSize = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(offset + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < headerSize || offset + size > end) throw new Error(`fMP4 stream: bad ${type} box size ${size} at ${offset}`);
    boxes.push({ type, start: offset, end: offset + size, payload: offset + headerSize });
    offset += size;
  }
  return boxes;
}

function fourCC(view, offset) {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

function* descendants(view, box) {
  for (const child of readBoxes(view, box.payload, box.end)) {
    yield child;
    if (CONTAINERS.has(child.type)) yield* descendants(view, child);
  }
}

function readTrackDefaults(view, moov, part) {
  let trackId;
  // tkhd's track_ID and mdhd's timescale sit at the same offset: after version/flags and two times.
  const afterTwoTimes = (box) => box.payload + (view.getUint8(box.payload) === 1 ? 20 : 12);
  for (const box of descendants(view, moov)) {
    if (box.type === 'tkhd') trackId = view.getUint32(afterTwoTimes(box));
    if (box.type === 'mdhd' && trackId !== undefined) part.timescales.set(trackId, view.getUint32(afterTwoTimes(box)));
    if (box.type === 'trex') part.trexDurations.set(view.getUint32(box.payload + 4), view.getUint32(box.payload + 12));
  }
}

/** The earliest decode time and the latest end time, in seconds, over the fragment's track runs. */
function fragmentTimes(view, moof, part) {
  let decode = Infinity;
  let end = -Infinity;
  for (const traf of readBoxes(view, moof.payload, moof.end).filter((box) => box.type === 'traf')) {
    const run = readTrackRun(view, traf, part);
    const timescale = part.timescales.get(run.trackId);
    if (!timescale) throw new Error(`fMP4 stream: traf for unknown track ${run.trackId} at ${traf.start}`);
    decode = Math.min(decode, run.baseDecodeTime / timescale);
    end = Math.max(end, (run.baseDecodeTime + run.duration) / timescale);
  }
  if (decode === Infinity) throw new Error(`fMP4 stream: moof without traf at ${moof.start}`);
  return { decode, end };
}

function readTrackRun(view, traf, part) {
  let trackId = 0;
  let defaultDuration;
  let baseDecodeTime = 0;
  let duration = 0;
  for (const box of readBoxes(view, traf.payload, traf.end)) {
    if (!['tfhd', 'tfdt', 'trun'].includes(box.type)) continue;
    const version = view.getUint8(box.payload);
    const flags = view.getUint32(box.payload) & 0xffffff;
    if (box.type === 'tfhd') {
      trackId = view.getUint32(box.payload + 4);
      if (flags & 0x08) defaultDuration = view.getUint32(box.payload + 8 + (flags & 0x01 ? 8 : 0) + (flags & 0x02 ? 4 : 0));
    } else if (box.type === 'tfdt') {
      baseDecodeTime = version === 1 ? Number(view.getBigUint64(box.payload + 4)) : view.getUint32(box.payload + 4);
    } else if (box.type === 'trun') {
      duration += runDuration(view, box.payload, flags, defaultDuration ?? part.trexDurations.get(trackId) ?? 0);
    }
  }
  return { trackId, baseDecodeTime, duration };
}

function runDuration(view, payload, flags, defaultDuration) {
  const sampleCount = view.getUint32(payload + 4);
  if (!(flags & 0x100)) return sampleCount * defaultDuration;
  let offset = payload + 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
  const stride = 4 * [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length;
  let total = 0;
  for (let i = 0; i < sampleCount; i++, offset += stride) total += view.getUint32(offset);
  return total;
}
