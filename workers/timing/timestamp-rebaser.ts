/**
 * Puts demuxed samples on one output (MediaSource) timeline: it starts at 0, never goes backwards and never
 * overlaps within a track, and the source's audio/video alignment survives every splice exactly.
 *
 * Why one shared offset: appending clips that each restart at t=0 with a per-track offset (MSE `sequence` mode)
 * stacks the small difference between each clip's audio and video lengths (AAC priming, frame grid) at every
 * splice, and lip sync drifts by tens of ms per splice. Here a continuous stretch of the source is a *stretch*
 * with ONE offset (output = source + offset, in seconds) that every track uses. When a track's source time jumps
 * (a restart, a gap), that track opens a new stretch placed right after everything already output; the other
 * track joins the same stretch when its own jump arrives, so both keep the source's relative timing.
 * An offset only ever moves forward: a sample that would overlap moves its stretch's offset (for every track
 * in it), never one track alone.
 *
 * Mapping back: each change of offset is reported as an anchor through `onAnchor`:
 * from `outputTime` on, source time = output time − outputTime + sourceTime (seconds). Anchors come in
 * increasing `outputTime` order; a change that would map an earlier output time is not reported (it concerns
 * only the few samples of an older stretch placed after a newer one had begun).
 */

import type { MediaSample, TrackInfo, TrackKind } from '../media-sample.js';

export interface TimelineAnchor {
  /** Output (MediaSource) time in seconds from which this mapping holds. */
  outputTime: number;
  /** The source time that `outputTime` shows. */
  sourceTime: number;
}

export interface TimestampRebaserOptions {
  onAnchor?: (anchor: TimelineAnchor) => void;
  /**
   * A forward step in a track's source time up to this is left as it is (seconds, default 0.25). Above the
   * jitter that is not a discontinuity (ffmpeg's fMP4 shifts the frames after the first video frame by
   * ≈ 21 ms for AAC priming, HE-AAC by ≈ 46 ms, rounding) and a few dropped frames or a low frame rate
   * (≥ 15 fps: 3 frames ≤ 200 ms); below a pause a viewer reads as a freeze. Larger steps are gaps: closed.
   */
  gapToleranceSeconds?: number;
  /**
   * A backward step up to this is rounding (seconds, default 0.005: a few ticks of 1 kHz or 90 kHz
   * timestamps converted to each other): the sample's stretch moves forward by the overlap. A larger
   * backward step is a restart: a new stretch.
   */
  overlapToleranceSeconds?: number;
  /**
   * The second track's jump joins the first track's new stretch when both land within this of each other in
   * source time (seconds, default 0.5: far above where the two tracks of one clip start — priming, B-frame
   * decode delay ≤ 0.2 s — and below any clip length worth splicing).
   */
  spliceMatchSeconds?: number;
}

const DEFAULT_GAP_TOLERANCE_S = 0.25;
const DEFAULT_OVERLAP_TOLERANCE_S = 0.005;
const DEFAULT_SPLICE_MATCH_S = 0.5;
/** Another track this far (s) past a track's old end in the same stretch proves the source did not jump. */
const HOLE_EVIDENCE_S = 0.1;
/** Below the smallest fraction of a tick two timescales can produce (1 / 192 kHz): float noise. */
const TICK_EPSILON = 1e-6;
/** Offsets closer than this (s) are the same offset computed two ways: no move, no anchor. */
const SAME_OFFSET_S = 1e-9;
/**
 * The largest difference between the tracks' starts in a stretch that is taken as a trait of the encoder
 * (AAC priming 21–46 ms, Opus pre-skip 6.5 ms, B-frames decoding ≈ 2 frames early) and expected again at the
 * next jump under the same init.
 */
const MAX_START_LEAD_S = 0.25;
/** Recent stretches a late track may still join. */
const MAX_RECENT_STRETCHES = 8;

/** A continuous stretch of the source with one offset shared by all tracks. */
interface Stretch {
  readonly serial: number;
  /** output = source + offset (seconds); only ever increases. */
  offset: number;
  /** Source time at which the track that opened this stretch resumed. */
  readonly resumeSource: number;
  /** Output time at which that happened. */
  readonly resumeOutput: number;
  /** The stretch the opening track left; cleared once this one is old. */
  parent: Stretch | undefined;
  /** The source interval the opening track skipped, when it jumped forward. */
  readonly hole: { from: number; to: number } | undefined;
  /** Each track's first source time in this stretch. */
  readonly firstSource: Map<TrackKind, number>;
}

/** What the rebaser knows of one track kind; continuity survives track renumbering by a new init. */
interface KindState {
  readonly kind: TrackKind;
  /** The track of this kind in the current init; undefined while the init has none. */
  trackId: number | undefined;
  timescale: number;
  stretch: Stretch | undefined;
  /** Where the next sample should start if the source is continuous (source seconds). */
  sourceEnd: number | undefined;
  /** End of the last output sample: exact (seconds) and as written (ticks of `timescale`). */
  outputEnd: number | undefined;
  outputEndTicks: number;
}

export class TimestampRebaser {
  private readonly states = new Map<TrackKind, KindState>();
  private readonly kindOfTrack = new Map<number, TrackKind>();
  private recent: Stretch[] = [];
  private serial = 0;
  private samplesSinceInit = 0;
  private lastAnchorOutput = -Infinity;
  private readonly gapTolerance: number;
  private readonly overlapTolerance: number;
  private readonly spliceMatch: number;

  constructor(private readonly options: TimestampRebaserOptions = {}) {
    this.gapTolerance = options.gapToleranceSeconds ?? DEFAULT_GAP_TOLERANCE_S;
    this.overlapTolerance = options.overlapToleranceSeconds ?? DEFAULT_OVERLAP_TOLERANCE_S;
    this.spliceMatch = options.spliceMatchSeconds ?? DEFAULT_SPLICE_MATCH_S;
  }

  /** The tracks of a new init. The first track of each kind is used; samples of others are dropped. */
  setTracks(tracks: readonly TrackInfo[]): void {
    this.kindOfTrack.clear();
    this.samplesSinceInit = 0;
    for (const state of this.states.values()) state.trackId = undefined;
    for (const track of tracks) {
      if (this.kindOfTrack.has(track.id) || !(track.timescale > 0)) continue;
      const state = this.stateOf(track.kind);
      if (state.trackId !== undefined) continue;
      state.trackId = track.id;
      if (state.timescale !== track.timescale) {
        state.outputEndTicks = Math.ceil((state.outputEndTicks * track.timescale) / state.timescale - TICK_EPSILON);
        state.timescale = track.timescale;
      }
      this.kindOfTrack.set(track.id, track.kind);
    }
  }

  /** The sample moved onto the output timeline, or undefined for a track that is not in the current init. */
  rebase(sample: MediaSample): MediaSample | undefined {
    const kind = this.kindOfTrack.get(sample.trackId);
    const state = kind && this.states.get(kind);
    if (!state || !Number.isFinite(sample.dts) || !Number.isFinite(sample.cto)) return undefined;
    const source = sample.dts / state.timescale;
    const stretch = this.stretchFor(state, sample, source);
    const dts = this.place(stretch, state, sample, source);
    const duration = Math.max(0, sample.duration);
    state.sourceEnd = source + duration / state.timescale;
    state.outputEnd = state.sourceEnd + stretch.offset;
    state.outputEndTicks = dts + duration;
    state.stretch = stretch;
    if (!stretch.firstSource.has(state.kind)) stretch.firstSource.set(state.kind, source);
    this.samplesSinceInit++;
    return { ...sample, dts };
  }

  private stretchFor(state: KindState, sample: MediaSample, source: number): Stretch {
    const step = state.sourceEnd === undefined ? undefined : source - state.sourceEnd;
    if (state.stretch && step !== undefined) {
      const continuous = step >= -this.overlapTolerance && (step <= this.gapTolerance || this.isHoleInThisTrackOnly(state));
      if (continuous) return this.stretchOpenedByAHoleHereFilled(state, source) ?? state.stretch;
    }
    return this.pairedStretch(state, source) ?? this.openStretch(state, sample, source, step);
  }

  /** Another track of the same stretch already has media past this track's old end: the jump is a hole in this track. */
  private isHoleInThisTrackOnly(state: KindState): boolean {
    for (const other of this.states.values()) {
      if (other === state || other.stretch !== state.stretch || other.sourceEnd === undefined) continue;
      if (other.sourceEnd > state.sourceEnd! + HOLE_EVIDENCE_S) return true;
    }
    return false;
  }

  /**
   * The other track closed a forward jump as a gap, but this track has media inside that gap: the hole was the
   * other track's alone. Reopen it (the other track moves forward, never back) and share its stretch again.
   */
  private stretchOpenedByAHoleHereFilled(state: KindState, source: number): Stretch | undefined {
    const filled = this.recent.find(
      (s) => s.parent === state.stretch && s.hole !== undefined && source > s.hole.from + HOLE_EVIDENCE_S && source < s.hole.to,
    );
    if (!filled) return undefined;
    this.moveForward(filled, state.stretch!.offset, source);
    return filled;
  }

  /** A newer stretch this track's jump belongs to: opened by another track's jump to about the same source time. */
  private pairedStretch(state: KindState, source: number): Stretch | undefined {
    if (!state.stretch) return this.recent.at(-1); // a track's first sample joins the stream where it is
    const serial = state.stretch.serial;
    const end = state.outputEnd ?? 0;
    let best: Stretch | undefined;
    for (const stretch of this.recent) {
      if (stretch.serial <= serial || Math.abs(source - stretch.resumeSource) > this.spliceMatch) continue;
      if (!best || Math.abs(stretch.resumeOutput - end) < Math.abs(best.resumeOutput - end)) best = stretch;
    }
    return best;
  }

  /**
   * A new stretch placed right after everything already output, by every track. A track that has not jumped
   * yet may still be sending the end of the previous clip: that end is assumed to reach as far as the rest.
   * When the source restarts within one init (one encoder), a track that started before this one in the last
   * stretch is expected to do so again: room is left for it, so that it joins without moving the offset under
   * samples already placed. After a new init, the file's first sample is its earliest (files are written in
   * decode order), and after a forward gap the tracks resume anywhere: no guess.
   * Nothing can be guessed for the stream's very first stretch: if the track that arrives first is not the
   * one that starts first, the offset moves forward when the other joins, and what was placed before that (in
   * practice one fragment) is early by the difference (≤ 0.08 s: B-frame decode delay).
   */
  private openStretch(state: KindState, sample: MediaSample, source: number, step: number | undefined): Stretch {
    let end = state.outputEnd;
    for (const other of this.states.values()) if (other.trackId !== undefined) end = maxDefined(end, other.outputEnd);
    const restart = step !== undefined && step < 0;
    const room = restart && this.samplesSinceInit > 0 ? this.earlierStartOfOthers(state) : 0;
    const offset = Math.max(this.floorOffset(state, sample), end === undefined ? -Infinity : end - source + room);
    const stretch: Stretch = {
      serial: this.serial++,
      offset,
      resumeSource: source,
      resumeOutput: source + offset,
      parent: state.stretch,
      hole: state.stretch && step !== undefined && step > 0 ? { from: state.sourceEnd!, to: source } : undefined,
      firstSource: new Map(),
    };
    this.remember(stretch);
    this.announce(stretch, source - room); // from where the earlier-starting track will begin
    return stretch;
  }

  /** How much earlier than this track another track started in this track's stretch (0 if none did). */
  private earlierStartOfOthers(state: KindState): number {
    const starts = state.stretch?.firstSource;
    const own = starts?.get(state.kind);
    if (!starts || own === undefined) return 0;
    let room = 0;
    for (const [kind, start] of starts) {
      if (kind !== state.kind && this.states.get(kind)?.trackId !== undefined && own - start <= MAX_START_LEAD_S) room = Math.max(room, own - start);
    }
    return room;
  }

  /** Places the sample in its stretch, moving the stretch forward if it would overlap or start before 0. */
  private place(stretch: Stretch, state: KindState, sample: MediaSample, source: number): number {
    const needed = Math.max(this.floorOffset(state, sample), state.outputEnd === undefined ? -Infinity : state.outputEnd - source);
    if (stretch.offset < needed) this.moveForward(stretch, needed, source);
    const dts = sample.dts + ticksOf(stretch.offset, state.timescale);
    const shortfall = state.outputEnd === undefined ? 0 : state.outputEndTicks - dts;
    if (shortfall <= 0) return dts;
    // Only after a timescale change rounded the previous end up: less than a tick, still moved for all tracks.
    this.moveForward(stretch, stretch.offset + shortfall / state.timescale, source);
    return Math.max(state.outputEndTicks, sample.dts + ticksOf(stretch.offset, state.timescale));
  }

  /** The smallest offset that keeps the sample's decode and presentation times at or after 0. */
  private floorOffset(state: KindState, sample: MediaSample): number {
    return -(sample.dts + Math.min(0, sample.cto)) / state.timescale;
  }

  private moveForward(stretch: Stretch, offset: number, source: number): void {
    if (offset <= stretch.offset + SAME_OFFSET_S) return;
    stretch.offset = offset;
    this.announce(stretch, source);
  }

  private announce(stretch: Stretch, source: number): void {
    const outputTime = source + stretch.offset;
    if (outputTime < this.lastAnchorOutput) return;
    this.lastAnchorOutput = outputTime;
    this.options.onAnchor?.({ outputTime, sourceTime: source });
  }

  private remember(stretch: Stretch): void {
    this.recent.push(stretch);
    if (this.recent.length <= MAX_RECENT_STRETCHES) return;
    const dropped = this.recent.shift()!;
    dropped.parent = undefined;
    for (const s of this.recent) if (s.parent === dropped) s.parent = undefined;
  }

  private stateOf(kind: TrackKind): KindState {
    let state = this.states.get(kind);
    if (!state) {
      state = { kind, trackId: undefined, timescale: 1, stretch: undefined, sourceEnd: undefined, outputEnd: undefined, outputEndTicks: 0 };
      this.states.set(kind, state);
    }
    return state;
  }
}

/** An offset in seconds as whole ticks, rounded up so that a sample never lands before where the offset puts it. */
function ticksOf(offset: number, timescale: number): number {
  return Math.ceil(offset * timescale - TICK_EPSILON);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
