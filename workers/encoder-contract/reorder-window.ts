import type { H264Sps } from './h264-sps.js';

const BASELINE = 66;
const CONSTRAINED_BASELINE_FLAG = 0x40; // constraint_set1_flag: decodable by a Main profile decoder too
const CONSTRAINT_SET3_FLAG = 0x10;
/** Intra-only profiles when constraint_set3_flag is set (H.264 A.2.8–A.2.11): nothing to reorder. */
const INTRA_WITH_SET3 = new Set([44, 86, 100, 110, 122, 244]);
const MAX_DPB_FRAMES = 16;

/** MaxDpbMbs per level_idc (H.264 Table A-1). */
const MAX_DPB_MBS: Readonly<Record<number, number>> = {
  9: 396, 10: 396, 11: 900, 12: 2376, 13: 2376, 20: 2376, 21: 4752, 22: 8100, 30: 8100, 31: 18000, 32: 20480,
  40: 32768, 41: 32768, 42: 34816, 50: 110400, 51: 184320, 52: 184320, 60: 696320, 61: 696320, 62: 696320,
};

/**
 * How many frames a decoder may hold back before output for this SPS: 0 for (constrained) baseline, which has
 * no B-slices, and for intra-only streams; the VUI's max_num_reorder_frames when signalled; otherwise the whole
 * DPB the level allows, which is what the standard infers and what decoders such as FFmpeg's and Chromium's assume.
 */
export function reorderWindow(sps: H264Sps): number {
  if (sps.profileIdc === BASELINE) return 0;
  if (sps.constraintFlags & CONSTRAINT_SET3_FLAG && INTRA_WITH_SET3.has(sps.profileIdc)) return 0;
  if (sps.maxNumReorderFrames !== undefined) return sps.maxNumReorderFrames;
  return maxDpbFrames(sps);
}

export function maxDpbFrames(sps: H264Sps): number {
  const mbs = MAX_DPB_MBS[sps.levelIdc];
  const frameMbs = sps.widthInMbs * sps.heightInMbs;
  if (mbs === undefined || frameMbs <= 0) return MAX_DPB_FRAMES;
  return Math.max(1, Math.min(Math.floor(mbs / frameMbs), MAX_DPB_FRAMES));
}

export function profileName(profileIdc: number, constraintFlags: number): string {
  if (profileIdc === BASELINE) return constraintFlags & CONSTRAINED_BASELINE_FLAG ? 'Constrained Baseline' : 'Baseline';
  const names: Record<number, string> = { 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4' };
  return names[profileIdc] ?? `profile_idc ${profileIdc}`;
}
