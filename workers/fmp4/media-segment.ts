import type { MediaSample } from '../media-sample.js';
import { BoxWriter } from './box-writer.js';
import { Fmp4WriterError } from './fmp4-writer-error.js';

/** The samples of one track in one fragment, in decode order. */
export interface TrackRun {
  trackId: number;
  samples: MediaSample[];
}

const DEFAULT_BASE_IS_MOOF = 0x020000;
/** data-offset, sample-duration, sample-size, sample-flags, sample-composition-time-offset present. */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
/** sample_depends_on = 2 (an I-frame). */
const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1, sample_is_non_sync_sample. */
const NON_SYNC_SAMPLE_FLAGS = 0x01000000 | 0x00010000;
const MDAT_HEADER_SIZE = 8;
const MAX_U32 = 0xffffffff;

/**
 * One fragment: moof (mfhd, one traf per non-empty run) + one mdat holding the runs' sample data in order.
 * Durations written are the gaps to the next sample's dts (the last sample keeps its own), so every dts is exact.
 * Throws Fmp4WriterError when a run's dts go backwards or a fragment does not fit 32-bit sizes.
 */
export function writeMediaSegment(sequenceNumber: number, runs: readonly TrackRun[]): Uint8Array {
  const nonEmpty = runs.filter((run) => run.samples.length > 0);
  const w = new BoxWriter();
  const dataOffsetFields: number[] = [];
  w.box('moof', (moof) => {
    moof.fullBox('mfhd', 0, 0, (b) => b.u32(sequenceNumber));
    for (const run of nonEmpty) dataOffsetFields.push(writeTraf(moof, run));
  });
  const mdatSize = MDAT_HEADER_SIZE + nonEmpty.reduce((sum, run) => sum + runBytes(run), 0);
  if (mdatSize > MAX_U32) throw new Fmp4WriterError('too-large', `a fragment of ${mdatSize} bytes does not fit a 32-bit mdat`);
  let dataOffset = w.position + MDAT_HEADER_SIZE;
  nonEmpty.forEach((run, index) => {
    w.patchU32(dataOffsetFields[index]!, dataOffset);
    dataOffset += runBytes(run);
  });
  w.u32(mdatSize).fourcc('mdat');
  for (const run of nonEmpty) for (const sample of run.samples) w.raw(sample.data);
  return w.finish();
}

/** Writes a traf and returns where its trun's data_offset goes. */
function writeTraf(w: BoxWriter, run: TrackRun): number {
  const { samples, trackId } = run;
  const first = samples[0]!;
  if (!Number.isSafeInteger(first.dts) || first.dts < 0) {
    throw new Fmp4WriterError('bad-timestamps', `track ${trackId}: the first dts ${first.dts} is not a non-negative integer`);
  }
  let dataOffsetField = 0;
  w.box('traf', (traf) => {
    traf.fullBox('tfhd', 0, DEFAULT_BASE_IS_MOOF, (b) => b.u32(trackId));
    traf.fullBox('tfdt', 1, 0, (b) => b.u64(first.dts));
    traf.fullBox('trun', 1, TRUN_FLAGS, (b) => {
      b.u32(samples.length);
      dataOffsetField = b.position;
      b.i32(0);
      samples.forEach((sample, index) => {
        b.u32(durationOf(samples, index, trackId)).u32(sample.data.length);
        b.u32(sample.keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS).i32(sample.cto);
      });
    });
  });
  return dataOffsetField;
}

function durationOf(samples: readonly MediaSample[], index: number, trackId: number): number {
  const sample = samples[index]!;
  const next = samples[index + 1];
  const duration = next ? next.dts - sample.dts : sample.duration;
  if (!Number.isSafeInteger(duration) || duration < 0 || duration > MAX_U32) {
    throw new Fmp4WriterError('bad-timestamps', `track ${trackId}: sample ${index} has dts ${sample.dts} then ${next?.dts ?? 'end'} (duration ${duration})`);
  }
  return duration;
}

function runBytes(run: TrackRun): number {
  return run.samples.reduce((sum, sample) => sum + sample.data.length, 0);
}
