/**
 * Fires the stream's timed cues when the frame with their pts is on screen: call `onFrame` for every
 * displayed frame with its stream pts. A cue fires on the first displayed frame with pts ≥ cue.pts − 1 ms.
 *
 * Speech is a state (speaking / silent): a start while speaking or an end while silent changes nothing, and
 * an end followed within `speechMergeGapS` by a start that is already queued (two clips of one utterance)
 * is no end at all. Captions: the newest caption shows from its pts until its `end`; `caption` outputs
 * report each change of the visible text. The displayed pts going back by more than `resetJumpS` is a new
 * server timeline (a restart): everything resets.
 */

import type { CueMessage } from '../protocol.js';

export type FiredCue =
  /** Every cue that takes effect (a speech cue that changes nothing does not). */
  | { type: 'cue'; cue: CueMessage; late: boolean }
  /** The speaking state changed; `cue` is null when a reset ended the speech. */
  | { type: 'speech'; speaking: boolean; cue: CueMessage | null; late: boolean }
  /** The visible caption text changed (null: no caption). */
  | { type: 'caption'; text: string | null; cue: CueMessage | null };

export type AddOutcome = 'queued' | 'held' | 'duplicate';

export interface CueWarning {
  code: 'cue-overflow';
  message: string;
  /** Cues dropped for lack of room so far. */
  dropped: number;
}

export interface CueSchedulerOptions {
  /** Most cues waiting (default 1000); beyond, the oldest-received is dropped. */
  maxPending?: number;
  /** Most cue ids remembered for de-duplication (default 2000). */
  maxSeenIds?: number;
  /** Seconds (default 0.001). */
  toleranceS?: number;
  /** A displayed pts this far (s) behind the previous one starts a new timeline (default 1). */
  resetJumpS?: number;
  /** Seconds (default 0.1). */
  speechMergeGapS?: number;
  onWarning?: (warning: CueWarning) => void;
}

export interface CueSchedulerStats {
  pending: number;
  /** Cues received far behind the displayed pts, kept in case the displayed pts jumps back to them. */
  held: number;
  duplicates: number;
  /** Late cues that no longer mattered, and held cues that expired. */
  stale: number;
  overflowed: number;
  resets: number;
}

interface Entry {
  cue: CueMessage;
  seq: number;
  /** Arrived after a frame at or past its pts was displayed. */
  late: boolean;
  /** Held entries: the displayed pts when the cue arrived. */
  heldAt: number;
}

/** A held cue is forgotten once the display has moved on this far (s) without jumping back. */
const HOLD_S = 10;
const OVERFLOW_WARNING_EVERY = 100;

export class CueScheduler {
  private readonly maxPending: number;
  private readonly maxSeenIds: number;
  private readonly toleranceS: number;
  private readonly resetJumpS: number;
  private readonly speechMergeGapS: number;
  private pending: Entry[] = [];
  private held: Entry[] = [];
  private readonly seen = new Set<string>();
  private seq = 0;
  private lastFramePts: number | undefined;
  private speaking = false;
  private lastSpeechPts = -Infinity;
  private caption: CueMessage | undefined;
  private lastCaptionPts = -Infinity;
  private shownText: string | null = null;
  private readonly counts: Omit<CueSchedulerStats, 'pending' | 'held'> = {
    duplicates: 0,
    stale: 0,
    overflowed: 0,
    resets: 0,
  };

  constructor(private readonly options: CueSchedulerOptions = {}) {
    this.maxPending = Math.max(1, options.maxPending ?? 1000);
    this.maxSeenIds = Math.max(1, options.maxSeenIds ?? 2000);
    this.toleranceS = options.toleranceS ?? 0.001;
    this.resetJumpS = options.resetJumpS ?? 1;
    this.speechMergeGapS = options.speechMergeGapS ?? 0.1;
  }

  add(cue: CueMessage): AddOutcome {
    const last = this.lastFramePts;
    // Far behind the screen: a very late cue, or (more likely) an early one from a restarted server's
    // new timeline; it waits for the displayed pts to jump back instead of firing now.
    const farBehind = last !== undefined && cue.pts < last - this.resetJumpS;
    if (farBehind) {
      if (this.held.some((entry) => entry.cue.id === cue.id)) return this.duplicate();
      this.held.push({ cue, seq: this.seq++, late: false, heldAt: last });
    } else {
      if (this.seen.has(cue.id)) return this.duplicate();
      this.remember(cue.id);
      this.insert({ cue, seq: this.seq++, late: last !== undefined && cue.pts - this.toleranceS <= last, heldAt: 0 });
    }
    this.enforceBound();
    return farBehind ? 'held' : 'queued';
  }

  /** Call for every displayed frame with its stream pts; returns what takes effect on it, in order. */
  onFrame(pts: number, frameDurationS: number): FiredCue[] {
    if (!Number.isFinite(pts)) return [];
    const fired: FiredCue[] = [];
    if (this.lastFramePts !== undefined && pts < this.lastFramePts - this.resetJumpS) this.startNewTimeline(fired);
    this.lastFramePts = pts;
    const oneFrameS = Number.isFinite(frameDurationS) && frameDurationS > 0 ? frameDurationS : 0;
    let due = 0;
    while (due < this.pending.length && this.pending[due]!.cue.pts - this.toleranceS <= pts) {
      const entry = this.pending[due]!;
      // Missed its own frame (arrived late, or the display skipped past it).
      const late = entry.late || pts - entry.cue.pts > oneFrameS + this.toleranceS;
      this.fire(entry.cue, late, pts, due + 1, fired);
      due++;
    }
    this.pending.splice(0, due);
    this.expireCaption(pts);
    this.reportCaption(fired);
    this.forgetOldHeld(pts);
    return fired;
  }

  /** Forgets everything (another stream): ends speech and clears the caption, reporting both. */
  reset(): FiredCue[] {
    const fired: FiredCue[] = [];
    this.held = [];
    this.startNewTimeline(fired);
    this.lastFramePts = undefined;
    return fired;
  }

  get isSpeaking(): boolean {
    return this.speaking;
  }

  get captionText(): string | null {
    return this.shownText;
  }

  stats(): CueSchedulerStats {
    return { pending: this.pending.length, held: this.held.length, ...this.counts };
  }

  private fire(cue: CueMessage, late: boolean, pts: number, nextIndex: number, fired: FiredCue[]): void {
    switch (cue.kind) {
      case 'app':
        fired.push({ type: 'cue', cue, late });
        return;
      case 'caption':
        return this.fireCaption(cue, late, pts, fired);
      case 'speech-start':
      case 'speech-end':
        return this.fireSpeech(cue, late, nextIndex, fired);
    }
  }

  private fireSpeech(cue: CueMessage, late: boolean, nextIndex: number, fired: FiredCue[]): void {
    if (late && cue.pts < this.lastSpeechPts) return this.stale();
    const speaking = cue.kind === 'speech-start';
    if (speaking === this.speaking) return;
    if (!speaking && this.speechResumesSoon(cue.pts, nextIndex)) return;
    this.speaking = speaking;
    this.lastSpeechPts = cue.pts;
    fired.push({ type: 'cue', cue, late }, { type: 'speech', speaking, cue, late });
  }

  /** A start already queued right after this end: the next clip of the same utterance. */
  private speechResumesSoon(endPts: number, nextIndex: number): boolean {
    for (let index = nextIndex; index < this.pending.length; index++) {
      const { cue } = this.pending[index]!;
      if (cue.pts > endPts + this.speechMergeGapS) return false;
      if (cue.kind === 'speech-start') return true;
    }
    return false;
  }

  private fireCaption(cue: CueMessage, late: boolean, pts: number, fired: FiredCue[]): void {
    const ended = (cue.end ?? Infinity) - this.toleranceS <= pts;
    if (late && (ended || cue.pts < this.lastCaptionPts)) return this.stale();
    this.caption = cue;
    this.lastCaptionPts = cue.pts;
    fired.push({ type: 'cue', cue, late });
  }

  private expireCaption(pts: number): void {
    if (this.caption && (this.caption.end ?? Infinity) - this.toleranceS <= pts) this.caption = undefined;
  }

  private reportCaption(fired: FiredCue[]): void {
    const text = this.caption?.text ?? null;
    if (text === this.shownText) return;
    this.shownText = text;
    fired.push({ type: 'caption', text, cue: this.caption ?? null });
  }

  private startNewTimeline(fired: FiredCue[]): void {
    if (this.speaking) fired.push({ type: 'speech', speaking: false, cue: null, late: false });
    if (this.shownText !== null) fired.push({ type: 'caption', text: null, cue: null });
    this.speaking = false;
    this.lastSpeechPts = -Infinity;
    this.caption = undefined;
    this.lastCaptionPts = -Infinity;
    this.shownText = null;
    this.counts.resets++;
    this.seen.clear();
    this.pending = [];
    for (const entry of this.held) {
      this.remember(entry.cue.id);
      this.insert({ ...entry, late: false });
    }
    this.held = [];
  }

  /** Sorted by pts; at equal pts an end of speech comes first (the previous clip's end before the next one's start), then arrival. */
  private insert(entry: Entry): void {
    let index = this.pending.length;
    while (index > 0 && compareEntries(this.pending[index - 1]!, entry) > 0) index--;
    this.pending.splice(index, 0, entry);
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.maxSeenIds) this.seen.delete(this.seen.values().next().value!);
  }

  private enforceBound(): void {
    while (this.pending.length + this.held.length > this.maxPending) {
      const oldest = [...this.pending, ...this.held].reduce((a, b) => (b.seq < a.seq ? b : a));
      this.pending = this.pending.filter((entry) => entry !== oldest);
      this.held = this.held.filter((entry) => entry !== oldest);
      this.counts.overflowed++;
      if ((this.counts.overflowed - 1) % OVERFLOW_WARNING_EVERY === 0) {
        this.options.onWarning?.({
          code: 'cue-overflow',
          message: `more than ${this.maxPending} cues waiting: dropped the oldest (${this.counts.overflowed} so far)`,
          dropped: this.counts.overflowed,
        });
      }
    }
  }

  private forgetOldHeld(pts: number): void {
    const kept = this.held.filter((entry) => pts - entry.heldAt <= HOLD_S);
    this.counts.stale += this.held.length - kept.length;
    this.held = kept;
  }

  private duplicate(): AddOutcome {
    this.counts.duplicates++;
    return 'duplicate';
  }

  private stale(): void {
    this.counts.stale++;
  }
}

function compareEntries(a: Entry, b: Entry): number {
  return a.cue.pts - b.cue.pts || kindOrder(a.cue) - kindOrder(b.cue) || a.seq - b.seq;
}

function kindOrder(cue: CueMessage): number {
  return cue.kind === 'speech-end' ? 0 : 1;
}
