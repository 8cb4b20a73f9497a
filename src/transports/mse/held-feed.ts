/**
 * A MediaFeed that keeps what arrives until its reader subscribes: the MSE transport's code loads
 * on demand, and the media the server sends meanwhile must not be lost.
 */

import type { MediaFeed } from './media-feed.js';

type Held = { type: 'bytes'; data: ArrayBuffer } | { type: 'skip'; from: number; to: number };

/**
 * Bounds what is held while the reader loads (normally well under a second of media). Past it, newer
 * bytes are dropped: the stream then cannot start, and the attempt's first-frame timeout ends it cleanly.
 */
const MAX_HELD_BYTES = 16 * 1024 * 1024;

export class HeldFeed implements MediaFeed {
  private held: Held[] | undefined = [];
  private heldBytes = 0;
  private bytes: ((data: ArrayBuffer) => void) | undefined;
  private skip: ((skip: { from: number; to: number }) => void) | undefined;
  private readonly unsubscribers: (() => void)[];

  constructor(private readonly source: MediaFeed) {
    this.unsubscribers = [
      source.onBytes((data) => this.deliver({ type: 'bytes', data })),
      source.onSkip(({ from, to }) => this.deliver({ type: 'skip', from, to })),
    ];
  }

  onBytes(listener: (data: ArrayBuffer) => void): () => void {
    this.bytes = listener;
    this.releaseSoon();
    return () => (this.bytes = undefined);
  }

  onSkip(listener: (skip: { from: number; to: number }) => void): () => void {
    this.skip = listener;
    this.releaseSoon();
    return () => (this.skip = undefined);
  }

  requestKeyframe(): void {
    this.source.requestKeyframe();
  }

  /** Stops listening to the source; nothing is delivered after this. */
  close(): void {
    this.unsubscribers.forEach((unsubscribe) => unsubscribe());
    this.held = undefined;
    this.bytes = this.skip = undefined;
  }

  private deliver(event: Held): void {
    if (this.held) {
      const bytes = event.type === 'bytes' ? event.data.byteLength : 0;
      if (this.heldBytes + bytes > MAX_HELD_BYTES) return;
      this.heldBytes += bytes;
      this.held.push(event);
      return;
    }
    this.dispatch(event);
  }

  /** After the reader's synchronous run of subscriptions, so that each kind finds its listener. */
  private releaseSoon(): void {
    queueMicrotask(() => {
      const held = this.held;
      if (!held) return;
      this.held = undefined;
      held.forEach((event) => this.dispatch(event));
    });
  }

  private dispatch(event: Held): void {
    if (event.type === 'bytes') this.bytes?.(event.data);
    else this.skip?.(event);
  }
}
