/**
 * Checks the few box fields that would make mp4box loop or allocate without bound before it parses a moov or
 * moof (it trusts sample counts that no bytes back): a constant-size stsz and a trun may claim billions of
 * samples in a few bytes. Also checks that child boxes nest inside their parents.
 */

/** More samples than any clip or fragment this player handles (an hour of 60 fps video is 216 000). */
export const MAX_TABLE_SAMPLES = 1 << 20;
export const MAX_FRAGMENT_SAMPLES = 1 << 16;

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex', 'moof', 'traf']);
const MAX_DEPTH = 8;
const TRUN_SAMPLE_FIELDS = [0x100, 0x200, 0x400, 0x800];

/** Returns why the box at the start of `bytes` (one whole box) is unsafe to parse, or undefined when it is fine. */
export function preflightProblem(bytes: Uint8Array, headerSize: number): string | undefined {
  const counts = { fragmentSamples: 0 };
  return checkChildren(bytes, headerSize, bytes.length, 0, counts);
}

/** Checks the boxes from `start` to `end` and, inside containers, their children. */
function checkChildren(bytes: Uint8Array, start: number, end: number, depth: number, counts: { fragmentSamples: number }): string | undefined {
  if (depth > MAX_DEPTH) return 'boxes nested too deep';
  // fewer than 8 bytes left is padding some muxers write; mp4box ignores it too
  for (let at = start; end - at >= 8; ) {
    let size = u32(bytes, at);
    let headerSize = 8;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (size === 0) size = end - at;
    if (size === 1 && end - at >= 16) {
      size = u32(bytes, at + 8) * 2 ** 32 + u32(bytes, at + 12);
      headerSize = 16;
    }
    if (size < headerSize || at + size > end) return `'${type}' box of size ${size} does not fit its parent`;
    const problem = CONTAINERS.has(type) ? checkChildren(bytes, at + headerSize, at + size, depth + 1, counts) : checkLeaf(type, bytes, at, size, counts);
    if (problem) return problem;
    at += size;
  }
  return undefined;
}

function checkLeaf(type: string, bytes: Uint8Array, at: number, size: number, counts: { fragmentSamples: number }): string | undefined {
  if (type === 'stsz' && size >= 20) {
    const constantSize = u32(bytes, at + 12);
    const count = u32(bytes, at + 16);
    if (constantSize !== 0 && count > MAX_TABLE_SAMPLES) return `stsz lists ${count} samples`;
  }
  if (type === 'trun' && size >= 16) {
    const flags = u32(bytes, at + 8) & 0xffffff;
    const count = u32(bytes, at + 12);
    counts.fragmentSamples += count;
    if (counts.fragmentSamples > MAX_FRAGMENT_SAMPLES) return `a fragment with more than ${MAX_FRAGMENT_SAMPLES} samples`;
    const perSample = 4 * TRUN_SAMPLE_FIELDS.filter((bit) => flags & bit).length;
    const fixed = 16 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
    if (fixed + perSample * count > size) return `trun lists ${count} samples in ${size} bytes`;
  }
  return undefined;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
