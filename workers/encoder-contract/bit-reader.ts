/** Reads an H.264 RBSP bit by bit: fixed-width fields and exp-Golomb codes (ITU-T H.264 §7.2, §9.1). */
export class BitReader {
  private bit = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Throws RangeError when the bits run out. */
  u(width: number): number {
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 2 + this.flag();
    return value;
  }

  flag(): number {
    const byte = this.bytes[this.bit >> 3];
    if (byte === undefined) throw new RangeError('the RBSP ends early');
    const value = (byte >> (7 - (this.bit & 7))) & 1;
    this.bit++;
    return value;
  }

  /** ue(v): unsigned exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.flag() === 0) {
      if (++zeros > 31) throw new RangeError('an exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** se(v): signed exp-Golomb. */
  se(): number {
    const code = this.ue();
    return code % 2 === 1 ? (code + 1) / 2 : -(code / 2);
  }
}

/** The RBSP of a NAL unit payload: every emulation-prevention byte (0x03 after 0x00 0x00) removed. */
export function unescapeRbsp(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  let length = 0;
  let zeros = 0;
  for (const byte of payload) {
    if (zeros >= 2 && byte === 0x03) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[length++] = byte;
  }
  return out.subarray(0, length);
}
