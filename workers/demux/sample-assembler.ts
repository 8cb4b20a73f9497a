import type { MediaSample } from '../media-sample.js';
import type { PendingSample } from './pending-sample.js';

/**
 * Holds the samples an index (moov tables or moof) announced, in stream-offset order, and completes each one from
 * mdat payload bytes as they stream past. Keeps only the bytes of the one sample being filled.
 */
export class SampleAssembler {
  private pending: PendingSample[] = [];
  private head = 0;
  private partial: Uint8Array | undefined;
  private filled = 0;

  constructor(
    private readonly complete: (sample: MediaSample) => void,
    /** A sample whose bytes went by outside an mdat payload. */
    private readonly lost: () => void,
  ) {}

  get waiting(): number {
    return this.pending.length - this.head;
  }

  /** Adds samples sorted by offset. */
  add(samples: readonly PendingSample[]): void {
    if (samples.length === 0) return;
    const rest = this.pending.slice(this.head);
    const last = rest.at(-1);
    this.pending = !last || last.offset <= samples[0]!.offset ? rest.concat(samples) : mergeByOffset(rest, samples);
    this.head = 0;
  }

  /** Payload bytes starting at stream offset `position`; completes every sample they finish. */
  mediaData(position: number, bytes: Uint8Array): void {
    const end = position + bytes.length;
    for (let sample = this.pending[this.head]; sample && sample.offset < end; sample = this.pending[this.head]) {
      const from = sample.offset + this.filled;
      if (from < position) {
        this.advance();
        this.lost();
        continue;
      }
      const to = Math.min(sample.offset + sample.size, end);
      const piece = bytes.subarray(from - position, to - position);
      if (this.filled === 0 && to === sample.offset + sample.size) {
        this.finish(sample, piece.slice());
        continue;
      }
      this.partial ??= new Uint8Array(sample.size);
      this.partial.set(piece, this.filled);
      this.filled += piece.length;
      if (this.filled < sample.size) break;
      this.finish(sample, this.partial);
    }
  }

  /** Forgets samples whose bytes began before `position` (a box other than mdat starts there); returns how many. */
  dropBefore(position: number): number {
    let dropped = 0;
    while (this.head < this.pending.length && this.pending[this.head]!.offset < position) {
      this.advance();
      dropped++;
    }
    return dropped;
  }

  /** Forgets samples whose bytes would run past `position` (the end of the mdat they must lie in); returns how many. */
  dropBeyond(position: number): number {
    const rest = this.pending.slice(this.head);
    const kept = rest.filter((sample) => sample.offset + sample.size <= position);
    if (kept[0] !== rest[0]) {
      this.partial = undefined;
      this.filled = 0;
    }
    this.pending = kept;
    this.head = 0;
    return rest.length - kept.length;
  }

  /** Forgets every sample still waiting; returns how many. */
  clear(): number {
    const dropped = this.waiting;
    this.pending = [];
    this.head = 0;
    this.partial = undefined;
    this.filled = 0;
    return dropped;
  }

  private finish(sample: PendingSample, data: Uint8Array): void {
    this.advance();
    const { trackId, dts, cto, duration, keyframe } = sample;
    this.complete({ trackId, dts, cto, duration, keyframe, data });
  }

  private advance(): void {
    this.head++;
    this.partial = undefined;
    this.filled = 0;
    if (this.head >= 1024 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }
}

function mergeByOffset(a: readonly PendingSample[], b: readonly PendingSample[]): PendingSample[] {
  const out: PendingSample[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && a[i]!.offset <= b[j]!.offset);
    out.push(takeA ? a[i++]! : b[j++]!);
  }
  return out;
}
