import { PROTOCOL_VERSION, type CueMessage } from '../../src/protocol.js';
import type { ClipPlacement } from '../playout/timeline.js';

/**
 * Cue ids are the same for every viewer of one stream: `<stream>:<clip sequence>:<what>`. The stream part changes
 * when the server restarts (clip sequences start again at 0), so a client never mistakes a new cue for one it saw.
 */
export function cueId(stream: string, clipSequence: number, what: string): string {
  return `${stream}:${clipSequence}:${what}`;
}

export function speechCue(stream: string, clipSequence: number, kind: 'speech-start' | 'speech-end', pts: number, clip: string): CueMessage {
  return { v: PROTOCOL_VERSION, type: 'cue', id: cueId(stream, clipSequence, kind), kind, pts, clip };
}

/** A clip's captions and application cues on the stream timeline, in pts order, with the clip's clip time 0 at its origin. */
export interface PlacedCue {
  /** Clip time (s) at which it takes effect. */
  at: number;
  /** The message, given how long the clip stays on screen: undefined when the clip ends before `at`. */
  messageFor(length: number): CueMessage | undefined;
}

export function placedCuesOf(stream: string, placement: ClipPlacement): PlacedCue[] {
  const { clip, sequence, origin } = placement;
  const cues = clip.cues;
  if (!cues) return [];
  const base = { v: PROTOCOL_VERSION, type: 'cue', clip: clip.name } as const;
  // A caption to the end of the clip lasts until the next clip is on screen: a clip stays a little longer than
  // its MP4 says (its last Opus packet plays whole, the next clip opens with a decoder reset).
  const endOf = (end: number, length: number) => (end >= clip.duration ? length : Math.min(end, length));
  const captions = cues.captions.map(
    (caption, i): PlacedCue => ({
      at: caption.start,
      messageFor: (length) =>
        caption.start < length
          ? { ...base, id: cueId(stream, sequence, `caption:${i}`), kind: 'caption', pts: origin + caption.start, end: origin + endOf(caption.end, length), text: caption.text }
          : undefined,
    }),
  );
  const app = cues.app.map(
    (cue, i): PlacedCue => ({
      at: cue.at,
      messageFor: (length) => (cue.at < length ? { ...base, id: cueId(stream, sequence, `app:${i}`), kind: 'app', pts: origin + cue.at, data: cue.data } : undefined),
    }),
  );
  return [...captions, ...app].sort((a, b) => a.at - b.at);
}
