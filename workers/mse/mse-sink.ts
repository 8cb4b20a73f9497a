/**
 * A MediaSource with one SourceBuffer per track kind, fed through serialized append queues.
 * The same code runs in the Worker (when the browser lets it own the MediaSource) and on the main thread.
 */

import type { TrackKind } from '../media-sample.js';
import type { TrackSummary } from '../remux-messages.js';
import { AppendQueue } from './append-queue.js';

export interface MseSinkHooks {
  playhead(): number;
  /** The MediaSource cannot go on. */
  onFatal(message: string): void;
  /** A problem that costs part of the stream, not the stream. */
  onWarning(message: string): void;
}

/** Played media kept for a short backward look; everything older is removed (flat memory). */
const BACK_BUFFER_S = 10;
/** Trimming in small steps is cheap; doing it on every playhead report is not. */
const TRIM_STEP_S = 5;

export class MseSink {
  private readonly queues = new Map<TrackKind, { queue: AppendQueue; mimeType: string }>();
  /** Work that needs an open MediaSource, in order. */
  private readonly waiting: (() => void)[] = [];
  private trimmedTo = 0;
  private closed = false;

  constructor(
    private readonly mediaSource: MediaSource,
    private readonly hooks: MseSinkHooks,
  ) {
    if (mediaSource.readyState === 'open') {
      this.markLive();
      return;
    }
    mediaSource.addEventListener(
      'sourceopen',
      () => {
        this.markLive();
        this.waiting.splice(0).forEach((work) => work());
      },
      { once: true },
    );
  }

  /** Declares the tracks of a (new) codec configuration; call before appending its init segments. */
  setTracks(tracks: TrackSummary[]): void {
    this.whenOpen(() => {
      const dropped = [...this.queues.keys()].filter((kind) => !tracks.some((track) => track.kind === kind));
      // The element plays only what every SourceBuffer holds: one that stops growing stops playback.
      if (dropped.length > 0) return this.hooks.onFatal(`the stream dropped its ${dropped.join(' and ')} track`);
      for (const track of tracks) this.useTrack(track);
    });
  }

  append(kind: TrackKind, data: ArrayBuffer): void {
    this.whenOpen(() => this.queues.get(kind)?.queue.append(data));
  }

  /** Removes media played more than BACK_BUFFER_S ago. */
  trim(): void {
    const end = this.hooks.playhead() - BACK_BUFFER_S;
    if (end < this.trimmedTo + TRIM_STEP_S) return;
    for (const { queue } of this.queues.values()) queue.remove(0, end);
    this.trimmedTo = end;
  }

  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    for (const { queue } of this.queues.values()) queue.stop();
    this.queues.clear();
  }

  /**
   * An infinite duration tells Chromium the stream is live: its decoders and renderers then run in
   * low-delay mode (no frame-threading delay, one frame is enough to play), which is most of the
   * difference between 100 and 300 ms behind the newest media.
   */
  private markLive(): void {
    try {
      this.mediaSource.duration = Infinity;
    } catch (error) {
      this.hooks.onWarning(`cannot mark the stream as live: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private whenOpen(work: () => void): void {
    if (this.closed) return;
    if (this.mediaSource.readyState === 'open') work();
    else this.waiting.push(work);
  }

  private useTrack(track: TrackSummary): void {
    const existing = this.queues.get(track.kind);
    if (existing) {
      if (existing.mimeType !== track.mimeType) existing.queue.changeType(track.mimeType);
      existing.mimeType = track.mimeType;
      return;
    }
    if (this.queues.size > 0 && this.hasStarted()) {
      return this.hooks.onWarning(`a ${track.kind} track appeared mid-stream; MediaSource cannot add it, so it is not played`);
    }
    try {
      const buffer = this.mediaSource.addSourceBuffer(track.mimeType);
      const queue = new AppendQueue(buffer, { playhead: this.hooks.playhead, onFatal: this.hooks.onFatal });
      this.queues.set(track.kind, { queue, mimeType: track.mimeType });
    } catch (error) {
      this.hooks.onFatal(`cannot play ${track.mimeType}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private hasStarted(): boolean {
    return [...this.queues.values()].some(({ queue }) => queue.bufferedStart !== undefined);
  }
}
