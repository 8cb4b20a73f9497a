import { BitReader, unescapeRbsp } from './bit-reader.js';

/** The fields of an H.264 sequence parameter set that decide decoder latency (ITU-T H.264 §7.3.2.1.1, E.1.1). */
export interface H264Sps {
  profileIdc: number;
  /** constraint_set0_flag … constraint_set5_flag, as the byte after profile_idc. */
  constraintFlags: number;
  levelIdc: number;
  picOrderCntType: number;
  maxNumRefFrames: number;
  widthInMbs: number;
  /** Frame height in macroblocks (both fields for interlaced streams). */
  heightInMbs: number;
  /** Frames per second from the VUI timing info, when given. */
  frameRate: number | undefined;
  /** From the VUI's bitstream_restriction, when present. */
  maxNumReorderFrames: number | undefined;
  maxDecFrameBuffering: number | undefined;
}

/** Profiles whose SPS carries chroma format, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
const NAL_TYPE_SPS = 7;
const MAX_POC_CYCLE = 255;
const MAX_CPB_COUNT = 32;

/**
 * Parses an SPS NAL unit (header byte included). Returns undefined when it is not an SPS or ends before the
 * fields above.
 */
export function parseSps(nal: Uint8Array): H264Sps | undefined {
  if (nal.length < 4 || (nal[0]! & 0x1f) !== NAL_TYPE_SPS) return undefined;
  try {
    return readSps(new BitReader(unescapeRbsp(nal.subarray(1))));
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function readSps(r: BitReader): H264Sps {
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  if (HIGH_PROFILES.has(profileIdc)) readChromaAndScaling(r);
  r.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = r.ue();
  if (picOrderCntType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (picOrderCntType === 1) {
    r.flag(); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > MAX_POC_CYCLE) throw new RangeError('num_ref_frames_in_pic_order_cnt_cycle out of range');
    for (let i = 0; i < cycle; i++) r.se();
  }
  const maxNumRefFrames = r.ue();
  r.flag(); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const mapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.flag(); // mb_adaptive_frame_field_flag
  r.flag(); // direct_8x8_inference_flag
  if (r.flag()) for (let i = 0; i < 4; i++) r.ue(); // frame cropping offsets
  const vui = r.flag() ? readVui(r) : { frameRate: undefined, maxNumReorderFrames: undefined, maxDecFrameBuffering: undefined };
  return { profileIdc, constraintFlags, levelIdc, picOrderCntType, maxNumRefFrames, widthInMbs, heightInMbs: (2 - frameMbsOnly) * mapUnits, ...vui };
}

function readChromaAndScaling(r: BitReader): void {
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc === 3) r.flag(); // separate_colour_plane_flag
  r.ue(); // bit_depth_luma_minus8
  r.ue(); // bit_depth_chroma_minus8
  r.flag(); // qpprime_y_zero_transform_bypass_flag
  if (!r.flag()) return; // seq_scaling_matrix_present_flag
  const lists = chromaFormatIdc === 3 ? 12 : 8;
  for (let i = 0; i < lists; i++) {
    if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
  }
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size && next !== 0; j++) {
    next = (last + r.se() + 256) % 256;
    if (next !== 0) last = next;
  }
}

function readVui(r: BitReader): Pick<H264Sps, 'frameRate' | 'maxNumReorderFrames' | 'maxDecFrameBuffering'> {
  if (r.flag() && r.u(8) === 255) r.u(32); // aspect_ratio_idc, Extended_SAR: sar_width, sar_height
  if (r.flag()) r.flag(); // overscan_appropriate_flag
  if (r.flag()) {
    r.u(4); // video_format, video_full_range_flag
    if (r.flag()) r.u(24); // colour_primaries, transfer_characteristics, matrix_coefficients
  }
  if (r.flag()) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  let frameRate: number | undefined;
  if (r.flag()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    r.flag(); // fixed_frame_rate_flag
    if (numUnitsInTick > 0) frameRate = timeScale / (2 * numUnitsInTick);
  }
  const nalHrd = r.flag();
  if (nalHrd) skipHrd(r);
  const vclHrd = r.flag();
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.flag(); // low_delay_hrd_flag
  r.flag(); // pic_struct_present_flag
  if (!r.flag()) return { frameRate, maxNumReorderFrames: undefined, maxDecFrameBuffering: undefined };
  r.flag(); // motion_vectors_over_pic_boundaries_flag
  r.ue(); // max_bytes_per_pic_denom
  r.ue(); // max_bits_per_mb_denom
  r.ue(); // log2_max_mv_length_horizontal
  r.ue(); // log2_max_mv_length_vertical
  const maxNumReorderFrames = r.ue();
  const maxDecFrameBuffering = r.ue();
  return { frameRate, maxNumReorderFrames, maxDecFrameBuffering };
}

function skipHrd(r: BitReader): void {
  const cpbCount = r.ue() + 1;
  if (cpbCount > MAX_CPB_COUNT) throw new RangeError('cpb_cnt_minus1 out of range');
  r.u(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < cpbCount; i++) {
    r.ue(); // bit_rate_value_minus1
    r.ue(); // cpb_size_value_minus1
    r.flag(); // cbr_flag
  }
  r.u(20); // four delay/offset lengths of 5 bits
}
