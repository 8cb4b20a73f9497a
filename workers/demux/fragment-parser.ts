import type { FragmentTrack } from './init-parser.js';
import { MediaFormatError } from './media-format-error.js';
import { parseMoof, type TrafBox } from './mp4box-parse.js';
import { MAX_SAMPLE_BYTES, type PendingSample } from './pending-sample.js';

const TFHD_BASE_DATA_OFFSET = 0x000001;
const TFHD_DEFAULT_DURATION = 0x000008;
const TFHD_DEFAULT_SIZE = 0x000010;
const TFHD_DEFAULT_FLAGS = 0x000020;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_FIRST_SAMPLE_FLAGS = 0x000004;
const TRUN_DURATION = 0x000100;
const TRUN_SIZE = 0x000200;
const TRUN_FLAGS = 0x000400;
const TRUN_CTO = 0x000800;
const SAMPLE_IS_NON_SYNC = 0x00010000;

export interface FragmentContext {
  /** Stream offsets of the moof box and of the file it belongs to (explicit base data offsets count from there). */
  moofStart: number;
  moofSize: number;
  fileStart: number;
  tracks: ReadonlyMap<number, FragmentTrack>;
  /** Where each track's previous fragment ended (decode time, already shifted), for trafs without tfdt. */
  nextDts: Map<number, number>;
}

/**
 * The samples a moof box describes, with stream offsets of their bytes, sorted by offset. Samples of tracks the
 * init segment did not announce are left out. Throws MediaFormatError 'corrupt-data' when the box cannot be
 * parsed or points at bytes that cannot follow it.
 */
export function parseFragment(bytes: Uint8Array, context: FragmentContext): PendingSample[] {
  const moof = parseMoof(bytes);
  const samples: PendingSample[] = [];
  let previousTrafEnd: number | undefined;
  for (const traf of moof.trafs ?? []) {
    previousTrafEnd = readTraf(traf, context, previousTrafEnd, samples);
  }
  const moofEnd = context.moofStart + context.moofSize;
  const misplaced = samples.find((sample) => sample.offset < moofEnd || sample.size > MAX_SAMPLE_BYTES);
  if (misplaced) {
    throw new MediaFormatError('corrupt-data', `a fragment places a sample of ${misplaced.size} bytes at ${misplaced.offset}, not after the moof at ${context.moofStart}`);
  }
  return samples.sort((a, b) => a.offset - b.offset);
}

/** Appends the traf's samples; returns the stream offset where its data ends. */
function readTraf(traf: TrafBox, context: FragmentContext, previousTrafEnd: number | undefined, out: PendingSample[]): number {
  const tfhd = traf.tfhd;
  if (!tfhd) throw new MediaFormatError('corrupt-data', 'a traf box without tfhd');
  const track = context.tracks.get(tfhd.track_id);
  const flags = tfhd.flags;
  // ISO 14496-12 §8.8.7: without either flag, the first traf counts from the moof, later ones from where the previous one's data ended
  const base =
    flags & TFHD_BASE_DATA_OFFSET
      ? context.fileStart + tfhd.base_data_offset
      : flags & TFHD_DEFAULT_BASE_IS_MOOF || previousTrafEnd === undefined
        ? context.moofStart
        : previousTrafEnd;
  const defaults = {
    duration: flags & TFHD_DEFAULT_DURATION ? tfhd.default_sample_duration : (track?.defaultDuration ?? 0),
    size: flags & TFHD_DEFAULT_SIZE ? tfhd.default_sample_size : (track?.defaultSize ?? 0),
    flags: flags & TFHD_DEFAULT_FLAGS ? tfhd.default_sample_flags : (track?.defaultFlags ?? 0),
  };
  const tfdt = traf.tfdt;
  let dts = tfdt ? tfdt.baseMediaDecodeTime + (track?.shift ?? 0) : (context.nextDts.get(tfhd.track_id) ?? track?.shift ?? 0);
  let cursor = base;
  for (const trun of traf.truns ?? []) {
    let offset = trun.flags & TRUN_DATA_OFFSET ? base + trun.data_offset : cursor;
    for (let i = 0; i < trun.sample_count; i++) {
      const duration = trun.flags & TRUN_DURATION ? trun.sample_duration[i]! : defaults.duration;
      const size = trun.flags & TRUN_SIZE ? trun.sample_size[i]! : defaults.size;
      const sampleFlags = i === 0 && trun.flags & TRUN_FIRST_SAMPLE_FLAGS ? trun.first_sample_flags : trun.flags & TRUN_FLAGS ? trun.sample_flags[i]! : defaults.flags;
      const cto = trun.flags & TRUN_CTO ? trun.sample_composition_time_offset[i]! : 0;
      if (track) {
        const keyframe = track.kind === 'audio' || (sampleFlags & SAMPLE_IS_NON_SYNC) === 0;
        out.push({ trackId: track.id, dts, cto, duration, keyframe, offset, size });
      }
      dts += duration;
      offset += size;
    }
    cursor = offset;
  }
  if (track) context.nextDts.set(track.id, dts);
  return cursor;
}
