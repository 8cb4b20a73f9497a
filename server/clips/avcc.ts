/** The AVCC form every output gets: each NAL unit prefixed by a 4-byte big-endian length. */
export const OUTPUT_NAL_LENGTH_SIZE = 4;

/**
 * Splits one AVCC access unit into its NAL units (views into `sample`).
 * Returns undefined unless the length prefixes add up exactly to the sample's size.
 */
export function splitNalUnits(sample: Uint8Array, lengthSize: number): Uint8Array[] | undefined {
  const units: Uint8Array[] = [];
  let offset = 0;
  while (offset < sample.length) {
    if (sample.length - offset < lengthSize) return undefined;
    let length = 0;
    for (let i = 0; i < lengthSize; i++) length = length * 256 + sample[offset + i]!;
    offset += lengthSize;
    if (length === 0 || length > sample.length - offset) return undefined;
    units.push(sample.subarray(offset, offset + length));
    offset += length;
  }
  return units;
}

/** Joins NAL units into one access unit with length prefixes of `lengthSize` bytes. */
export function joinNalUnits(units: readonly Uint8Array[], lengthSize = OUTPUT_NAL_LENGTH_SIZE): Uint8Array {
  const limit = 2 ** (8 * lengthSize);
  const total = units.reduce((sum, unit) => sum + lengthSize + unit.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const unit of units) {
    if (unit.length >= limit) throw new RangeError(`a NAL unit of ${unit.length} bytes does not fit a ${lengthSize}-byte length`);
    let length = unit.length;
    for (let i = lengthSize - 1; i >= 0; i--) {
      out[offset + i] = length & 0xff;
      length = Math.floor(length / 256);
    }
    out.set(unit, offset + lengthSize);
    offset += lengthSize + unit.length;
  }
  return out;
}

/** Rewrites an access unit to 4-byte length prefixes; undefined when its prefixes do not add up. */
export function toFourByteLengths(sample: Uint8Array, lengthSize: number): Uint8Array | undefined {
  const units = splitNalUnits(sample, lengthSize);
  if (!units) return undefined;
  return lengthSize === OUTPUT_NAL_LENGTH_SIZE ? sample : joinNalUnits(units);
}

/** An avcC record that announces 4-byte NAL lengths (lengthSizeMinusOne = 3), copied. */
export function withFourByteLengthSize(avcC: Uint8Array): Uint8Array {
  const copy = avcC.slice();
  if (copy.length > 4) copy[4] = copy[4]! | 0b11;
  return copy;
}
