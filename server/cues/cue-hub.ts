import type { CueMessage } from '../../src/protocol.js';

export type CueListener = (cue: CueMessage) => void;

/** What a signaling session needs: the cues in effect now, then every new one. */
export interface CueFeed {
  /** Calls `listener` at once with every cue still in effect (in the order they were made), then with each new cue. */
  follow(listener: CueListener): () => void;
}

/** Bounds memory should nobody join for a long time while clips with many cues play. */
const MAX_RETAINED = 4096;

interface Retained {
  cue: CueMessage;
  /** Stream time after which a late joiner no longer needs it. */
  until: number;
}

/**
 * Hands every cue to every following session, and keeps the cues still in effect for the sessions that join
 * later: speech-start of the utterance under way, captions not yet over, cues not yet due.
 */
export class CueHub implements CueFeed {
  private readonly listeners = new Set<CueListener>();
  private retained: Retained[] = [];

  constructor(
    /** The stream time due now. */
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  publish(cue: CueMessage): void {
    this.prune();
    if (cue.kind === 'speech-end') for (const r of this.retained) if (r.cue.kind === 'speech-start' && r.until === Infinity) r.until = cue.pts;
    this.retained.push({ cue, until: untilOf(cue) });
    if (this.retained.length > MAX_RETAINED) this.retained.shift();
    for (const listener of this.listeners) this.deliver(listener, cue);
  }

  follow(listener: CueListener): () => void {
    this.prune();
    for (const { cue } of this.retained) this.deliver(listener, cue);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The cues a session joining now would get first. */
  inEffect(): CueMessage[] {
    this.prune();
    return this.retained.map((r) => r.cue);
  }

  private prune(): void {
    const now = this.now();
    this.retained = this.retained.filter((r) => r.until >= now);
  }

  /** One failing session must not keep the cue from the others. */
  private deliver(listener: CueListener, cue: CueMessage): void {
    try {
      listener(cue);
    } catch (error) {
      this.onError(error);
    }
  }
}

function untilOf(cue: CueMessage): number {
  switch (cue.kind) {
    case 'speech-start':
      return Infinity; // until its utterance's speech-end is due
    case 'caption':
      return cue.end ?? cue.pts;
    default:
      return cue.pts;
  }
}
