/** A growable big-endian byte writer for ISO-BMFF boxes; `box()` writes a header and backpatches its size. */
export class BoxWriter {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  private length = 0;

  u8(value: number): this {
    this.reserve(1).setUint8(this.length, value);
    this.length += 1;
    return this;
  }

  u16(value: number): this {
    this.reserve(2).setUint16(this.length, value);
    this.length += 2;
    return this;
  }

  u24(value: number): this {
    return this.u8((value >>> 16) & 0xff).u16(value & 0xffff);
  }

  u32(value: number): this {
    this.reserve(4).setUint32(this.length, value >>> 0);
    this.length += 4;
    return this;
  }

  i32(value: number): this {
    this.reserve(4).setInt32(this.length, value);
    this.length += 4;
    return this;
  }

  u64(value: number): this {
    this.reserve(8).setBigUint64(this.length, BigInt(value));
    this.length += 8;
    return this;
  }

  fourcc(type: string): this {
    if (type.length !== 4) throw new RangeError(`a box type has four characters, not "${type}"`);
    for (let i = 0; i < 4; i++) this.u8(type.charCodeAt(i));
    return this;
  }

  zeros(count: number): this {
    this.reserve(count);
    this.bytes.fill(0, this.length, this.length + count);
    this.length += count;
    return this;
  }

  raw(data: Uint8Array): this {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** A box: 32-bit size (patched once `body` has written the payload), type, payload. */
  box(type: string, body: (writer: this) => void): this {
    const start = this.length;
    this.u32(0).fourcc(type);
    body(this);
    this.view.setUint32(start, this.length - start);
    return this;
  }

  /** A full box: a box whose payload starts with version (8 bits) and flags (24 bits). */
  fullBox(type: string, version: number, flags: number, body: (writer: this) => void = () => {}): this {
    return this.box(type, (writer) => {
      writer.u8(version).u24(flags);
      body(writer);
    });
  }

  /** Where the next byte goes: for fields patched later. */
  get position(): number {
    return this.length;
  }

  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0);
  }

  /** The bytes written so far (a copy sized exactly). */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  private reserve(count: number): DataView {
    if (this.length + count > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    return this.view;
  }
}
