/**
 * The machine-readable code every bench frame carries: a row of 16 black/white blocks along the top of the
 * picture. Bits, left to right (most significant first): clip id (4), frame index in the clip (8), check (4).
 * The check is a weighted sum with odd weights, so any single wrong block is caught; a block whose luminance is
 * neither clearly black nor clearly white rejects the whole code too.
 */
export const CODE_BLOCKS = 16;
export const CODE_BLOCK_PX = 20;
export const CODE_HEIGHT_PX = 20;
/** Luma of a black and a white block (limited range, as H.264 stores them). */
export const BLACK = 16;
export const WHITE = 235;
/** Blocks read between these are ambiguous: the code is rejected rather than guessed. */
const AMBIGUOUS = { low: 80, high: 170 };

export interface FrameCode {
  clip: number;
  frame: number;
}

export function checkOf(clip: number, frame: number): number {
  return (clip + 3 * (frame % 16) + 5 * Math.floor(frame / 16) + 7) % 16;
}

/** The 16-bit word the blocks show. */
export function codeWord({ clip, frame }: FrameCode): number {
  if (!Number.isInteger(clip) || clip < 0 || clip > 15) throw new RangeError(`clip id ${clip} is not 0..15`);
  if (!Number.isInteger(frame) || frame < 0 || frame > 255) throw new RangeError(`frame index ${frame} is not 0..255`);
  return (clip << 12) | (frame << 4) | checkOf(clip, frame);
}

/** The luma of each block, left to right, for a code (what the encoder draws). */
export function blockLumas(code: FrameCode): number[] {
  const word = codeWord(code);
  return Array.from({ length: CODE_BLOCKS }, (_, block) => ((word >> (CODE_BLOCKS - 1 - block)) & 1 ? WHITE : BLACK));
}

/** Reads a code back from measured block lumas; null when a block is ambiguous or the check fails. */
export function decodeBlocks(lumas: readonly number[]): FrameCode | null {
  if (lumas.length !== CODE_BLOCKS) return null;
  let word = 0;
  for (const luma of lumas) {
    if (!(luma <= AMBIGUOUS.low || luma >= AMBIGUOUS.high)) return null;
    word = (word << 1) | (luma >= AMBIGUOUS.high ? 1 : 0);
  }
  const clip = word >> 12;
  const frame = (word >> 4) & 0xff;
  return (word & 0xf) === checkOf(clip, frame) ? { clip, frame } : null;
}

/**
 * Mean luma of the middle of each block, from an RGBA strip CODE_BLOCKS × CODE_BLOCK_PX wide (scaled by
 * `scale`) and CODE_HEIGHT_PX high, as canvas getImageData gives it. Block edges blur in H.264: skip them.
 */
export function blockLumasFromStrip(rgba: Uint8ClampedArray, width: number, height: number): number[] {
  const blockWidth = width / CODE_BLOCKS;
  const lumas: number[] = [];
  for (let block = 0; block < CODE_BLOCKS; block++) {
    const x0 = Math.floor(block * blockWidth + blockWidth / 4);
    const x1 = Math.ceil((block + 1) * blockWidth - blockWidth / 4);
    const y0 = Math.floor(height / 4);
    const y1 = Math.ceil((3 * height) / 4);
    let sum = 0;
    let count = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 4;
        sum += lumaOf(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
        count++;
      }
    }
    lumas.push(count > 0 ? sum / count : Number.NaN);
  }
  return lumas;
}

/** BT.601 limited-range luma of an sRGB pixel: what the encoder stored for it. */
export function lumaOf(r: number, g: number, b: number): number {
  return 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
}

/** Mean luma of an RGBA image. */
export function meanLuma(rgba: Uint8ClampedArray): number {
  let sum = 0;
  const pixels = rgba.length / 4;
  for (let i = 0; i < rgba.length; i += 4) sum += lumaOf(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
  return pixels > 0 ? sum / pixels : Number.NaN;
}

/**
 * The same code as an ffmpeg geq luma expression over a CODE_BLOCKS·CODE_BLOCK_PX wide strip, for clip `clip`
 * and the frame number N (geq's own), so that ffmpeg burns it into every frame.
 */
export function codeGeqExpression(clip: number): string {
  const frame = 'mod(N,256)';
  const check = `mod(${clip}+3*mod(${frame},16)+5*floor(${frame}/16)+7,16)`;
  const word = `(${clip * 4096}+${frame}*16+${check})`;
  const bit = `mod(floor(${word}/pow(2,${CODE_BLOCKS - 1}-floor(X/${CODE_BLOCK_PX}))),2)`;
  return `${BLACK}+${WHITE - BLACK}*${bit}`;
}
