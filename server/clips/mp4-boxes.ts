/** Box types that may appear at the top level of an ISO-BMFF file; anything else first means "not an MP4". */
const TOP_LEVEL_TYPES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pdin', 'uuid', 'sidx', 'moof', 'mfra', 'meta', 'emsg', 'prft']);
const MAX_BOXES = 100_000;

export interface TopLevelBox {
  type: string;
  start: number;
  size: number;
}

export interface BoxScan {
  /** The first bytes look like an ISO-BMFF box of a known top-level type. */
  looksLikeMp4: boolean;
  boxes: TopLevelBox[];
  /** The last box runs past the end of the file. */
  cutShort: boolean;
}

/** Walks the top-level box headers only: enough to tell "not an MP4" from "an MP4 cut short". */
export function scanTopLevelBoxes(bytes: Uint8Array): BoxScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: TopLevelBox[] = [];
  let offset = 0;
  while (offset < bytes.length && boxes.length < MAX_BOXES) {
    if (bytes.length - offset < 8) return { looksLikeMp4: boxes.length > 0, boxes, cutShort: true };
    const type = fourcc(bytes, offset + 4);
    if (!TOP_LEVEL_TYPES.has(type)) return { looksLikeMp4: false, boxes, cutShort: false };
    const size = boxSize(view, offset, bytes.length);
    if (size === undefined) return { looksLikeMp4: boxes.length > 0, boxes, cutShort: true };
    if (size < 8) return { looksLikeMp4: false, boxes, cutShort: false };
    boxes.push({ type, start: offset, size });
    if (offset + size > bytes.length) return { looksLikeMp4: true, boxes, cutShort: true };
    offset += size;
  }
  return { looksLikeMp4: boxes.length > 0, boxes, cutShort: false };
}

function boxSize(view: DataView, offset: number, fileLength: number): number | undefined {
  const size32 = view.getUint32(offset);
  if (size32 === 0) return fileLength - offset;
  if (size32 !== 1) return size32;
  if (fileLength - offset < 16) return undefined;
  return Number(view.getBigUint64(offset + 8));
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}
