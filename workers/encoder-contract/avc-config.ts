/** Reads the SPS NAL units out of an avc1/avc3 sample entry's avcC box (ISO 14496-15 §5.3.3.1). */

const VISUAL_SAMPLE_ENTRY_CHILDREN = 8 + 78;
const AVC_ENTRY_TYPES = new Set(['avc1', 'avc3']);

/** The SPS NAL units of an H.264 sample entry; [] for any other codec or a malformed entry. */
export function spsOfSampleEntry(entry: Uint8Array): Uint8Array[] {
  if (!AVC_ENTRY_TYPES.has(text(entry, 4))) return [];
  const avcC = childPayload(entry, VISUAL_SAMPLE_ENTRY_CHILDREN, 'avcC');
  return avcC ? spsOfAvcC(avcC) : [];
}

/** The SPS NAL units listed in an AVCDecoderConfigurationRecord. */
export function spsOfAvcC(record: Uint8Array): Uint8Array[] {
  if (record.length < 6 || record[0] !== 1) return [];
  const count = record[5]! & 0x1f;
  const units: Uint8Array[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 2 > record.length) return units;
    const length = (record[at]! << 8) | record[at + 1]!;
    at += 2;
    if (at + length > record.length) return units;
    units.push(record.subarray(at, at + length));
    at += length;
  }
  return units;
}

function childPayload(box: Uint8Array, from: number, type: string): Uint8Array | undefined {
  const end = Math.min(box.length, u32(box, 0));
  for (let at = from; at + 8 <= end; ) {
    const size = u32(box, at);
    if (size < 8 || at + size > end) return undefined;
    if (text(box, at + 4) === type) return box.subarray(at + 8, at + size);
    at += size;
  }
  return undefined;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function text(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}
