import type { TrakBox } from './mp4box-parse.js';

/**
 * How much to add to a track's decode times so that dts + cto is the presentation time the edit list gives:
 * leading empty edits delay the track, the first media edit's media_time cuts its start. Later edits
 * (real cuts inside the track) are not applied.
 */
export function editListShift(trak: TrakBox, movieTimescale: number, mediaTimescale: number): number {
  const entries = trak.edts?.elst?.entries ?? [];
  let emptyMovieTicks = 0;
  for (const entry of entries) {
    if (entry.media_time === -1) {
      emptyMovieTicks += entry.segment_duration;
      continue;
    }
    const delay = movieTimescale > 0 ? Math.round((emptyMovieTicks * mediaTimescale) / movieTimescale) : 0;
    return delay - entry.media_time;
  }
  return 0;
}
