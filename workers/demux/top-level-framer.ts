import { ByteQueue } from './byte-queue.js';
import { isResyncCandidate, readBoxHeader, RESYNC_WINDOW, type BoxHeader } from './box-header.js';

/** Boxes parsed whole; every other type is streamed (mdat) or skipped without being held. */
const WHOLE_BOX_TYPES = new Set(['ftyp', 'moov', 'moof']);

export interface FramerSink {
  /** Every top-level box header accepted, before its body. `start` is the stream offset of the header. */
  boxStart(header: BoxHeader, start: number): void;
  /** A complete ftyp, moov or moof box, header included. The view is only valid during the call. */
  wholeBox(type: string, bytes: Uint8Array, start: number): void;
  /** Bytes of an mdat payload, from stream offset `position`. The view is only valid during the call. */
  mediaData(position: number, bytes: Uint8Array): void;
  /** A header that cannot be right at `position`: the framer now scans for the next plausible box. */
  corrupt(reason: string, position: number): void;
}

type State =
  | { kind: 'header' }
  | { kind: 'whole'; header: BoxHeader }
  | { kind: 'media'; remaining: number }
  | { kind: 'skip'; remaining: number }
  | { kind: 'scan' };

/**
 * Splits a byte stream into top-level boxes, whatever the chunking: holds only headers and the boxes parsed
 * whole (bounded by box-header's size limits), streams mdat payloads through, and after a bad header scans
 * forward for the next moof/ftyp/moov/styp. Work per push is linear in the bytes pushed. Views handed to the
 * sink stay valid until the next push; a sink may call reset() from inside a callback.
 */
export class TopLevelFramer {
  private readonly queue = new ByteQueue();
  private state: State = { kind: 'header' };

  constructor(private readonly sink: FramerSink) {}

  push(chunk: Uint8Array): void {
    this.queue.append(chunk);
    // every step consumes bytes or waits for more, except a few zero-length state changes
    const maxSteps = 2 * this.queue.length + 8;
    for (let step = 0; step < maxSteps && this.step(); step++);
  }

  /** Forgets all bytes and state; the next byte pushed is stream offset 0. */
  reset(): void {
    this.queue.clear();
    this.state = { kind: 'header' };
  }

  /** Stream offset of the next byte not yet consumed. */
  get position(): number {
    return this.queue.position;
  }

  /** Advances by one header, box, slice of payload or scan; false when more bytes are needed. */
  private step(): boolean {
    switch (this.state.kind) {
      case 'header':
        return this.readHeader();
      case 'whole':
        return this.readWholeBox(this.state.header);
      case 'media':
      case 'skip':
        return this.passPayload(this.state);
      case 'scan':
        return this.scan();
    }
  }

  private readHeader(): boolean {
    const available = Math.min(this.queue.length, 16);
    const read = readBoxHeader(this.queue.view(0, available));
    if (read.kind === 'need-more') return false;
    const start = this.queue.position;
    if (read.kind === 'bad') {
      this.state = { kind: 'scan' };
      this.queue.discard(1);
      this.sink.corrupt(read.reason, start);
      return true;
    }
    const { header } = read;
    if (WHOLE_BOX_TYPES.has(header.type)) {
      this.state = { kind: 'whole', header };
    } else {
      this.queue.discard(header.headerSize);
      const remaining = header.size - header.headerSize;
      this.state = header.type === 'mdat' ? { kind: 'media', remaining } : { kind: 'skip', remaining };
    }
    this.sink.boxStart(header, start);
    return true;
  }

  private readWholeBox(header: BoxHeader): boolean {
    if (this.queue.length < header.size) return false;
    const start = this.queue.position;
    const bytes = this.queue.view(0, header.size);
    this.queue.discard(header.size);
    this.state = { kind: 'header' };
    this.sink.wholeBox(header.type, bytes, start);
    return true;
  }

  private passPayload(state: { kind: 'media' | 'skip'; remaining: number }): boolean {
    if (state.remaining === 0) {
      this.state = { kind: 'header' };
      return true;
    }
    const count = Math.min(state.remaining, this.queue.length);
    if (count === 0) return false;
    const position = this.queue.position;
    const bytes = this.queue.view(0, count);
    this.queue.discard(count);
    state.remaining -= count;
    if (state.kind === 'media') this.sink.mediaData(position, bytes);
    return true;
  }

  private scan(): boolean {
    const bytes = this.queue.view(0, this.queue.length);
    for (let at = 0; at + RESYNC_WINDOW <= bytes.length; at++) {
      if (isResyncCandidate(bytes, at)) {
        this.queue.discard(at);
        this.state = { kind: 'header' };
        return true;
      }
    }
    this.queue.discard(Math.max(0, bytes.length - (RESYNC_WINDOW - 1)));
    return false;
  }
}
