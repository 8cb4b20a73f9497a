import type { CueMessage } from '../../src/protocol.js';
import type { ClipPlacement, TimelineObserver } from '../playout/timeline.js';
import { placedCuesOf, speechCue, type PlacedCue } from './clip-cue-messages.js';

export type CuePublisher = (cue: CueMessage) => void;

interface HeldClip {
  placement: ClipPlacement;
  cues: PlacedCue[];
}

/**
 * Makes the stream's cues from what the timeline decides. Speech starts at the first frame of a speaking clip
 * that follows the idle loop (or opens the stream) and ends at the first frame of the idle loop that follows
 * speech: speaking clips back to back are one utterance, with one start and one end. A clip's captions and
 * application cues go out when the clip is scheduled, shifted to where it sits on the timeline. The idle loop
 * may be cut at any keyframe, so its own cues go out only as the timeline reaches them, and none past a cut.
 */
export class CueScheduler implements TimelineObserver {
  /** The last speaking clip of the utterance under way. */
  private speaking: { sequence: number } | undefined;
  private held: HeldClip | undefined;

  constructor(
    private readonly publish: CuePublisher,
    /** Names this stream in every cue id (see cueId). */
    private readonly stream: string,
  ) {}

  clipScheduled(placement: ClipPlacement): void {
    this.held = undefined;
    const { clip, sequence, origin } = placement;
    if (placement.speaking && !this.speaking) this.publish(speechCue(this.stream, sequence, 'speech-start', origin, clip.name));
    if (!placement.speaking && this.speaking) this.publish(speechCue(this.stream, this.speaking.sequence, 'speech-end', origin, clip.name));
    this.speaking = placement.speaking ? { sequence } : undefined;
    const cues = placedCuesOf(this.stream, placement);
    if (placement.length === undefined) this.held = { placement: { ...placement }, cues };
    else this.publishAll(cues, placement.length);
  }

  clipCut(sequence: number, length: number): void {
    if (this.held?.placement.sequence !== sequence) return;
    this.held.placement.length = length;
    this.held.cues = this.held.cues.filter((cue) => cue.at < length);
  }

  reached(pts: number): void {
    const held = this.held;
    if (!held || held.cues.length === 0) return;
    const clipTime = pts - held.placement.origin;
    let due = 0;
    while (due < held.cues.length && held.cues[due]!.at <= clipTime) due++;
    if (due === 0) return;
    this.publishAll(held.cues.splice(0, due), held.placement.length ?? Infinity);
  }

  private publishAll(cues: PlacedCue[], length: number): void {
    for (const cue of cues) {
      const message = cue.messageFor(length);
      if (message) this.publish(message);
    }
  }
}
