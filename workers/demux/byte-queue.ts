/**
 * Bytes received but not yet consumed, contiguous so that a box header or a whole box can be read as one view.
 * `position` is the stream offset of the first byte held.
 */
export class ByteQueue {
  private buffer = new Uint8Array(4096);
  private head = 0;
  private tail = 0;
  private consumed = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** Stream offset (bytes since the start or the last clear) of the first byte held. */
  get position(): number {
    return this.consumed;
  }

  append(chunk: Uint8Array): void {
    if (this.tail + chunk.length > this.buffer.length) this.makeRoom(chunk.length);
    this.buffer.set(chunk, this.tail);
    this.tail += chunk.length;
  }

  /** A view of `count` bytes from `offset` (relative to the first byte held); valid until the next append. */
  view(offset: number, count: number): Uint8Array {
    return this.buffer.subarray(this.head + offset, this.head + offset + count);
  }

  discard(count: number): void {
    const n = Math.min(count, this.length);
    this.head += n;
    this.consumed += n;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Forgets everything held; positions restart at `position`. */
  clear(position = 0): void {
    this.head = this.tail = 0;
    this.consumed = position;
    if (this.buffer.length > 1 << 20) this.buffer = new Uint8Array(4096);
  }

  private makeRoom(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length / 2) {
      this.buffer.copyWithin(0, this.head, this.tail);
    } else {
      const grown = new Uint8Array(Math.max(needed * 2, 4096));
      grown.set(this.buffer.subarray(this.head, this.tail));
      this.buffer = grown;
    }
    this.tail -= this.head;
    this.head = 0;
  }
}
