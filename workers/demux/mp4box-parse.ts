import { BoxParser, MP4BoxBuffer, MultiBufferStream } from 'mp4box';
import { preflightProblem } from './box-preflight.js';
import { MediaFormatError } from './media-format-error.js';

export type MoovBox = InstanceType<typeof BoxParser.box.moov>;
export type MoofBox = InstanceType<typeof BoxParser.box.moof>;
export type TrakBox = MoovBox['traks'][number];
export type StblBox = TrakBox['mdia']['minf']['stbl'];
export type TrafBox = MoofBox['trafs'][number];

/** Parses one whole top-level moov box with mp4box; box offsets (e.g. a sample entry's `start`) are relative to `bytes`. */
export function parseMoov(bytes: Uint8Array): MoovBox {
  return parseWhole(bytes, new BoxParser.box.moov(bytes.length));
}

/** Parses one whole top-level moof box with mp4box. */
export function parseMoof(bytes: Uint8Array): MoofBox {
  return parseWhole(bytes, new BoxParser.box.moof(bytes.length));
}

function parseWhole<T extends MoovBox | MoofBox>(bytes: Uint8Array, box: T): T {
  const headerSize = bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 1 ? 16 : 8;
  const problem = preflightProblem(bytes, headerSize);
  if (problem) throw new MediaFormatError('corrupt-data', `${box.type}: ${problem}`);
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  const stream = new MultiBufferStream(MP4BoxBuffer.fromArrayBuffer(copy, 0));
  box.start = 0;
  box.hdr_size = headerSize;
  stream.seek(headerSize);
  try {
    box.parse(stream);
  } catch (error) {
    throw new MediaFormatError('corrupt-data', `${box.type} could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return box;
}
