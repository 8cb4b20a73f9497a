import type { Clip } from '../clips/clip.js';
import type { ClipScheduler, ScheduledClip } from './timeline.js';

export interface ClipQueueOptions {
  idle: Clip;
  /** Clips replayed in turn, one after each idle loop, while nothing else is queued (the built-in demo). */
  rotation?: Clip[];
}

/**
 * What plays next: queued clips in arrival order; otherwise the idle loop, which yields
 * as soon as a clip is queued. With a rotation, the idle loop plays once between rotation clips.
 */
export class ClipQueue implements ClipScheduler {
  private readonly queued: Clip[] = [];
  private readonly rotation: Clip[];
  private rotationIndex = 0;
  private idlePlayedLast = false;

  constructor(private readonly options: ClipQueueOptions) {
    this.rotation = options.rotation ?? [];
  }

  enqueue(clip: Clip): void {
    this.queued.push(clip);
  }

  get length(): number {
    return this.queued.length;
  }

  hasPending(): boolean {
    return this.queued.length > 0;
  }

  next(): ScheduledClip {
    const clip = this.queued.shift() ?? this.fromRotation();
    this.idlePlayedLast = !clip;
    return clip ? { clip, interruptible: false, speaking: true } : { clip: this.options.idle, interruptible: true, speaking: false };
  }

  private fromRotation(): Clip | undefined {
    if (!this.idlePlayedLast || this.rotation.length === 0) return undefined;
    const clip = this.rotation[this.rotationIndex % this.rotation.length];
    this.rotationIndex++;
    return clip;
  }
}
