/** The sync bench's figures, from what the page saw (frames, beeps) and what the server logged (sends). Pure. */
import { quantile } from './stats.js';

/** One presented frame as the page saw it (bench/sync-page.ts). */
export interface SeenFrame {
  /** Wall-clock ms (performance.timeOrigin + expectedDisplayTime). */
  displayMs: number;
  /** The frame code read from the picture; null: unreadable or rejected. */
  clip: number | null;
  frame: number | null;
  /** Mean luma of the picture (16 black .. 235 white). */
  luma: number;
  /** The player's own figures at this frame (getStats()), null when it has none. */
  statsLatencyMs: number | null;
  statsAvOffsetMs: number | null;
}

/** A line of the server's --send-log: one video sample sent. */
export interface SendRecord {
  pts: number;
  /** Server wall-clock ms. */
  time: number;
  /** The clip's file name. */
  clip: string;
  /** Index of the frame in its clip. */
  frame: number;
  keyframe: boolean;
}

export interface Distribution {
  n: number;
  median: number;
  p5: number;
  p95: number;
  min: number;
  max: number;
  /** 95th percentile of the magnitude: the figure the budgets name "|p95|". */
  absP95: number;
}

export function distribution(values: readonly number[]): Distribution {
  const list = [...values];
  return {
    n: list.length,
    median: quantile(list, 0.5),
    p5: quantile(list, 0.05),
    p95: quantile(list, 0.95),
    min: list.length ? Math.min(...list) : Number.NaN,
    max: list.length ? Math.max(...list) : Number.NaN,
    absP95: quantile(list.map(Math.abs), 0.95),
  };
}

/** A flash counts when the picture is this bright (flat grey frames are ~57, a flash ~230). */
export const FLASH_LUMA = 150;

export interface Flash {
  displayMs: number;
  clip: number | null;
  frame: number | null;
}

/** Flashes by luminance; the code, when read, says which frame it was (frame 0: a clip's first: a splice). */
export function flashesOf(frames: readonly SeenFrame[]): Flash[] {
  return frames.filter((f) => f.luma >= FLASH_LUMA).map(({ displayMs, clip, frame }) => ({ displayMs, clip, frame }));
}

export interface AvPair {
  videoMs: number;
  audioMs: number;
  /** Video time − audio time, ms: positive when the picture is late. */
  offsetMs: number;
  clip: number | null;
  frame: number | null;
  /** The flash is a clip's first frame: the pair straddles a splice. */
  splice: boolean;
}

/**
 * Pairs each flash with the beep nearest to where it is expected (the flash's time − `expectedOffsetMs`),
 * within `maxGapMs`, each beep used once, nearest pairs first.
 */
export function pairFlashesWithBeeps(
  flashes: readonly Flash[],
  beepsMs: readonly number[],
  maxGapMs = 300,
  expectedOffsetMs: (videoMs: number) => number = () => 0,
): AvPair[] {
  const candidates: { flash: number; beep: number; gap: number }[] = [];
  flashes.forEach((flash, f) => {
    const expected = flash.displayMs - expectedOffsetMs(flash.displayMs);
    beepsMs.forEach((beep, b) => {
      const gap = Math.abs(expected - beep);
      if (gap <= maxGapMs) candidates.push({ flash: f, beep: b, gap });
    });
  });
  candidates.sort((a, b) => a.gap - b.gap);
  const usedFlash = new Set<number>();
  const usedBeep = new Set<number>();
  const pairs: AvPair[] = [];
  for (const { flash, beep } of candidates) {
    if (usedFlash.has(flash) || usedBeep.has(beep)) continue;
    usedFlash.add(flash);
    usedBeep.add(beep);
    const { displayMs, clip, frame } = flashes[flash]!;
    const audioMs = beepsMs[beep]!;
    pairs.push({ videoMs: displayMs, audioMs, offsetMs: displayMs - audioMs, clip, frame, splice: frame === 0 });
  }
  return pairs.sort((a, b) => a.videoMs - b.videoMs);
}

/**
 * Two passes, for offsets that drift (MSE audio slipping at splices): a first pairing around 0, then each flash
 * paired again around the median offset of the first pass's pairs within `windowMs` of it, within a tighter
 * gap. A flash whose beep was lost then stays unpaired instead of taking a neighbour's beep.
 */
export function pairWithDrift(flashes: readonly Flash[], beepsMs: readonly number[], windowMs = 5_000, gapMs = 150): AvPair[] {
  const first = pairFlashesWithBeeps(flashes, beepsMs);
  const localOffset = (at: number) => {
    const near = first.filter((p) => Math.abs(p.videoMs - at) <= windowMs).map((p) => p.offsetMs);
    return near.length > 0 ? quantile(near, 0.5) : 0;
  };
  return pairFlashesWithBeeps(flashes, beepsMs, gapMs, localOffset);
}

export interface GlassToGlass {
  displayMs: number;
  clip: number;
  frame: number;
  /** Display time − the server's send time of this frame, ms. */
  measuredMs: number;
  /** The player's own figure at this frame, ms (null: none). */
  playerMs: number | null;
}

/**
 * Matches every displayed frame with a readable code to the server's latest send of that (clip, frame) at or
 * before its display (clips repeat: the latest one is this showing), within `maxAgeMs`.
 */
export function glassToGlass(
  frames: readonly SeenFrame[],
  sends: readonly SendRecord[],
  clipIdOf: (fileName: string) => number | null,
  maxAgeMs = 2_000,
): GlassToGlass[] {
  const byKey = new Map<string, number[]>();
  for (const send of sends) {
    const id = clipIdOf(send.clip);
    if (id === null) continue;
    const key = `${id}/${send.frame}`;
    const times = byKey.get(key) ?? [];
    times.push(send.time);
    byKey.set(key, times);
  }
  for (const times of byKey.values()) times.sort((a, b) => a - b);
  const matched: GlassToGlass[] = [];
  for (const seen of frames) {
    if (seen.clip === null || seen.frame === null) continue;
    const sent = latestAtOrBefore(byKey.get(`${seen.clip}/${seen.frame}`) ?? [], seen.displayMs);
    if (sent === undefined || seen.displayMs - sent > maxAgeMs) continue;
    matched.push({ displayMs: seen.displayMs, clip: seen.clip, frame: seen.frame, measuredMs: seen.displayMs - sent, playerMs: seen.statsLatencyMs });
  }
  return matched;
}

function latestAtOrBefore(sortedTimes: readonly number[], at: number): number | undefined {
  let low = 0;
  let high = sortedTimes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sortedTimes[mid]! <= at) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? sortedTimes[low - 1] : undefined;
}

/** Parses the send log (JSON lines); lines that are not a send record are skipped and counted. */
export function parseSendLog(text: string): { sends: SendRecord[]; skipped: number } {
  const sends: SendRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as Partial<SendRecord>;
      if (typeof value.time === 'number' && typeof value.clip === 'string' && typeof value.frame === 'number') {
        sends.push({ pts: Number(value.pts), time: value.time, clip: value.clip, frame: value.frame, keyframe: value.keyframe === true });
      } else skipped++;
    } catch {
      skipped++;
    }
  }
  return { sends, skipped };
}

/** Counts of bins of `width` ms from `from`, for the report's histograms. */
export function histogram(values: readonly number[], width: number): { from: number; width: number; counts: number[] } {
  if (values.length === 0) return { from: 0, width, counts: [] };
  const from = Math.floor(Math.min(...values) / width) * width;
  const bins = Math.min(1_000, Math.floor((Math.max(...values) - from) / width) + 1);
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.floor((value - from) / width))]!++;
  return { from, width, counts };
}
