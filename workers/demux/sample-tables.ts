import type { TrackKind } from '../media-sample.js';
import { MAX_TABLE_SAMPLES } from './box-preflight.js';
import { MediaFormatError } from './media-format-error.js';
import type { StblBox } from './mp4box-parse.js';
import { MAX_SAMPLE_BYTES, type PendingSample } from './pending-sample.js';

export interface TableTrack {
  id: number;
  kind: TrackKind;
  /** Added to every dts (the edit list). */
  shift: number;
  /** Stream offset that chunk offsets count from (the start of the file). */
  fileStart: number;
}

/** The samples a progressive MP4's sample tables (stsz, stsc, stco/co64, stts, ctts, stss) list, in decode order. */
export function tableSamples(stbl: StblBox, track: TableTrack): PendingSample[] {
  const sizes = sampleSizes(stbl);
  const count = sizes.length;
  if (count === 0) return [];
  if (count > MAX_TABLE_SAMPLES) throw new MediaFormatError('unsupported-media', `track ${track.id} lists ${count} samples`);
  const offsets = sampleOffsets(stbl, sizes, track);
  const durations = expandRuns(stbl.stts?.sample_counts ?? [], stbl.stts?.sample_deltas ?? [], count, 0);
  const ctos = expandRuns(stbl.ctts?.sample_counts ?? [], stbl.ctts?.sample_offsets ?? [], count, 0);
  const syncNumbers = stbl.stss?.sample_numbers;
  const sync = syncNumbers ? new Set(syncNumbers) : undefined;
  const samples: PendingSample[] = [];
  let dts = track.shift;
  for (let i = 0; i < count; i++) {
    const duration = durations[i]!;
    samples.push({
      trackId: track.id,
      dts,
      cto: ctos[i]!,
      duration,
      keyframe: track.kind === 'audio' || !sync || sync.has(i + 1),
      offset: offsets[i]!,
      size: sizes[i]!,
    });
    dts += duration;
  }
  return samples;
}

function sampleSizes(stbl: StblBox): number[] {
  const sizes = stbl.stsz?.sample_sizes ?? stbl.stz2?.sample_sizes ?? [];
  const tooBig = sizes.find((size) => size > MAX_SAMPLE_BYTES);
  if (tooBig !== undefined) throw new MediaFormatError('corrupt-data', `a sample table lists a sample of ${tooBig} bytes`);
  return sizes;
}

/** Each sample's stream offset, from chunk offsets and the sample-to-chunk runs. */
function sampleOffsets(stbl: StblBox, sizes: number[], track: TableTrack): number[] {
  const chunkOffsets = stbl.stco?.chunk_offsets ?? stbl.co64?.chunk_offsets ?? [];
  const firstChunks = stbl.stsc?.first_chunk ?? [];
  const perChunk = stbl.stsc?.samples_per_chunk ?? [];
  if (firstChunks.some((first, run) => first < 1 || (run > 0 && first <= firstChunks[run - 1]!))) {
    throw new MediaFormatError('corrupt-data', `track ${track.id}: the sample-to-chunk table is out of order`);
  }
  const offsets: number[] = [];
  for (let run = 0; run < firstChunks.length && offsets.length < sizes.length; run++) {
    const lastChunk = run + 1 < firstChunks.length ? firstChunks[run + 1]! - 1 : chunkOffsets.length;
    for (let chunk = firstChunks[run]!; chunk <= lastChunk && chunk <= chunkOffsets.length && offsets.length < sizes.length; chunk++) {
      let offset = track.fileStart + chunkOffsets[chunk - 1]!;
      for (let k = 0; k < perChunk[run]! && offsets.length < sizes.length; k++) {
        offsets.push(offset);
        offset += sizes[offsets.length - 1]!;
      }
    }
  }
  if (offsets.length < sizes.length) {
    throw new MediaFormatError('corrupt-data', `track ${track.id}: the chunk tables place ${offsets.length} of ${sizes.length} samples`);
  }
  return offsets;
}

/** Run-length tables (counts, values) expanded to one value per sample; samples past the table get `fallback`. */
function expandRuns(counts: readonly number[], values: readonly number[], total: number, fallback: number): number[] {
  const out: number[] = [];
  for (let run = 0; run < counts.length && out.length < total; run++) {
    const value = values[run] ?? fallback;
    for (let k = 0; k < counts[run]! && out.length < total; k++) out.push(value);
  }
  while (out.length < total) out.push(fallback);
  return out;
}
