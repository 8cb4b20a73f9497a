/** Top-level ISO-BMFF box headers: reading, and telling a plausible one from garbage. */

const KIB = 1024;
const MIB = 1024 * KIB;

/** The largest box of each type this player accepts; a larger size means a corrupt header. */
const MAX_BOX_SIZE: Readonly<Record<string, number>> = {
  ftyp: 4 * KIB,
  styp: 4 * KIB,
  moov: 4 * MIB,
  moof: 4 * MIB,
  mdat: 64 * MIB,
};
const MAX_OTHER_BOX_SIZE = 16 * MIB;

/** Types a resync may land on: each starts an init segment or a fragment. */
const RESYNC_TYPES = new Set(['moof', 'ftyp', 'moov', 'styp']);
/** Bytes a resync candidate needs: its header and the start of what must follow it. */
export const RESYNC_WINDOW = 16;

export interface BoxHeader {
  type: string;
  /** Whole box, header included. */
  size: number;
  headerSize: number;
}

export type HeaderRead = { kind: 'header'; header: BoxHeader } | { kind: 'need-more' } | { kind: 'bad'; reason: string };

/** Reads the box header at the start of `bytes` and checks that it is one this player can follow. */
export function readBoxHeader(bytes: Uint8Array): HeaderRead {
  if (bytes.length < 8) return { kind: 'need-more' };
  const type = fourcc(bytes, 4);
  if (type === undefined) return { kind: 'bad', reason: `box type ${hex(bytes.subarray(4, 8))} is not four printable characters` };
  const size32 = u32(bytes, 0);
  let size = size32;
  let headerSize = 8;
  if (size32 === 1) {
    if (bytes.length < 16) return { kind: 'need-more' };
    size = u32(bytes, 8) * 2 ** 32 + u32(bytes, 12);
    headerSize = 16;
  } else if (size32 === 0) {
    return { kind: 'bad', reason: `'${type}' box has size 0 (up to the end of the file), which a stream cannot have` };
  }
  const max = maxBoxSize(type);
  if (size < headerSize || size > max) return { kind: 'bad', reason: `'${type}' box has an implausible size ${size} (${headerSize}…${max})` };
  return { kind: 'header', header: { type, size, headerSize } };
}

/**
 * True when the RESYNC_WINDOW bytes from `at` look like the start of a moof, ftyp, moov or styp: a type we
 * resync on, a plausible size, and a sensible first field after the header.
 */
export function isResyncCandidate(bytes: Uint8Array, at: number): boolean {
  const type = fourcc(bytes, at + 4);
  if (type === undefined || !RESYNC_TYPES.has(type)) return false;
  const size = u32(bytes, at);
  if (size < RESYNC_WINDOW || size > maxBoxSize(type)) return false;
  if (type === 'moof') return fourcc(bytes, at + 12) === 'mfhd';
  if (type === 'moov') return fourcc(bytes, at + 12) !== undefined;
  return fourcc(bytes, at + 8) !== undefined;
}

export function maxBoxSize(type: string): number {
  return MAX_BOX_SIZE[type] ?? MAX_OTHER_BOX_SIZE;
}

/** The four characters at `at`, or undefined unless all are printable ASCII. */
export function fourcc(bytes: Uint8Array, at: number): string | undefined {
  let text = '';
  for (let i = at; i < at + 4; i++) {
    const c = bytes[i];
    if (c === undefined || c < 0x20 || c > 0x7e) return undefined;
    text += String.fromCharCode(c);
  }
  return text;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
