import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spsOfSampleEntry } from '../../../workers/encoder-contract/avc-config.js';
import { unescapeRbsp } from '../../../workers/encoder-contract/bit-reader.js';
import { EncoderContract } from '../../../workers/encoder-contract/encoder-contract.js';
import { parseSps } from '../../../workers/encoder-contract/h264-sps.js';
import { reorderWindow } from '../../../workers/encoder-contract/reorder-window.js';
import { avc1SampleEntry } from '../../../workers/fmp4/index.js';
import type { TrackInfo } from '../../../workers/media-sample.js';
import { demux, type DemuxRun } from '../../fixtures/demux-run.js';
import { makeStream, type VideoFlavour } from '../../fixtures/fmp4-media.js';
import * as media from '../../fixtures/media.js';

let dir: media.MediaDir;
const runs = new Map<VideoFlavour, DemuxRun>();

beforeAll(async () => {
  dir = await media.makeMediaDir('avatar-contract-');
  for (const video of ['baseline', 'main', 'high-bframes', 'high-no-bframes'] as const) {
    const path = await makeStream(dir.dir, { name: `${video}.mp4`, video, audio: 'opus', seconds: 1 });
    runs.set(video, demux(new Uint8Array(await readFile(path))));
  }
});

afterAll(() => dir?.cleanup());

/** Every warning the contract gives over a whole stream, init first. */
function warningsOf(run: DemuxRun, contract = new EncoderContract()): { code: string; message: string }[] {
  return [...contract.checkInit(run.inits[0]!), ...run.samples.flatMap((sample) => contract.checkSample(sample))];
}

describe('H.264 SPS parser on x264 output', () => {
  it('reads profile, POC type, size, frame rate and the VUI bitstream restriction as ffmpeg trace_headers shows them', () => {
    const [bframes] = spsOfSampleEntry(runs.get('high-bframes')!.inits[0]![0]!.sampleEntry).map(parseSps);
    expect(bframes).toEqual({
      profileIdc: 100,
      constraintFlags: 0,
      levelIdc: 13,
      picOrderCntType: 0,
      maxNumRefFrames: 4,
      widthInMbs: 20,
      heightInMbs: 15,
      frameRate: 25,
      maxNumReorderFrames: 2,
      maxDecFrameBuffering: 4,
    });
    const [noBframes] = spsOfSampleEntry(runs.get('high-no-bframes')!.inits[0]![0]!.sampleEntry).map(parseSps);
    expect(noBframes).toMatchObject({ profileIdc: 100, picOrderCntType: 2, maxNumReorderFrames: 0, maxDecFrameBuffering: 1 });
    const [baseline] = spsOfSampleEntry(runs.get('baseline')!.inits[0]![0]!.sampleEntry).map(parseSps);
    expect(baseline).toMatchObject({ profileIdc: 66, picOrderCntType: 2 });
  });

  it('infers the whole DPB of the level when the VUI says nothing about reordering', () => {
    // x264 always writes the restriction, so this High profile SPS (640x480, level 3.0, no VUI) is built by hand
    const sps = parseSps(highProfileSpsWithoutVui());
    expect(sps).toMatchObject({ profileIdc: 100, levelIdc: 30, widthInMbs: 40, heightInMbs: 30, maxNumReorderFrames: undefined, frameRate: undefined });
    expect(reorderWindow(sps!)).toBe(6); // MaxDpbMbs 8100 / 1200 macroblocks
    const track: TrackInfo = { id: 1, kind: 'video', codec: 'avc1.64001e', timescale: 90000, sampleEntry: avc1SampleEntry(640, 480, avcC(highProfileSpsWithoutVui())) };
    const [warning] = new EncoderContract().checkInit([track]);
    expect(warning?.code).toBe('reorder-window');
    expect(warning?.message).toContain('up to 6 frames');
    expect(warning?.message).toContain('does not signal max_num_reorder_frames = 0');
  });

  it('removes emulation-prevention bytes and refuses what is not an SPS', () => {
    expect(Array.from(unescapeRbsp(new Uint8Array([1, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3])))).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
    expect(parseSps(new Uint8Array([0x68, 0xee, 0x3c, 0x80]))).toBeUndefined(); // a PPS
    expect(parseSps(highProfileSpsWithoutVui().subarray(0, 5))).toBeUndefined();
  });
});

describe('EncoderContract on real encodes', () => {
  it('baseline: no warnings', () => {
    expect(warningsOf(runs.get('baseline')!)).toEqual([]);
  });

  it('main and high without B-frames: x264 signals max_num_reorder_frames = 0, so no warnings', () => {
    expect(warningsOf(runs.get('main')!)).toEqual([]);
    expect(warningsOf(runs.get('high-no-bframes')!)).toEqual([]);
  });

  it('high with B-frames: both warnings, each once, with the delay they cost', () => {
    const warnings = warningsOf(runs.get('high-bframes')!);
    expect(warnings.map((warning) => warning.code)).toEqual(['reorder-window', 'b-frames']);
    expect(warnings[0]!.message).toContain('may hold up to 2 frames ≈ 80 ms');
    expect(warnings[1]!.message).toMatch(/latency grows by/);
    expect(warnings[1]!.message).toMatch(/WebRTC senders must not use B-frames/);
  });

  it('warns again after a new init, and never for audio', () => {
    const run = runs.get('high-bframes')!;
    const contract = new EncoderContract();
    expect(warningsOf(run, contract)).toHaveLength(2);
    expect(warningsOf(run, contract)).toHaveLength(2);
    const audio = run.samples.find((sample) => sample.trackId === 2)!;
    contract.checkInit(run.inits[0]!);
    expect(contract.checkSample({ ...audio, cto: 960 })).toEqual([]);
  });
});

/** profile 100, level 3.0, 4:2:0 8-bit, POC type 0, 4 reference frames, 640x480 progressive, no VUI. */
function highProfileSpsWithoutVui(): Uint8Array {
  const bits: number[] = [];
  const u = (value: number, width: number) => {
    for (let i = width - 1; i >= 0; i--) bits.push((value >> i) & 1);
  };
  const ue = (value: number) => {
    const code = value + 1;
    const length = Math.floor(Math.log2(code));
    u(0, length);
    u(code, length + 1);
  };
  u(100, 8); u(0, 8); u(30, 8); ue(0); // profile, constraints, level, sps id
  ue(1); ue(0); ue(0); u(0, 1); u(0, 1); // chroma 4:2:0, bit depths, bypass, no scaling matrix
  ue(0); ue(0); ue(0); // log2_max_frame_num, POC type 0, log2_max_poc_lsb
  ue(4); u(0, 1); ue(39); ue(29); u(1, 1); u(1, 1); u(0, 1); u(0, 1); // refs, gaps, size, frame_mbs_only, 8x8, crop, vui
  u(1, 1); // rbsp stop bit
  while (bits.length % 8) bits.push(0);
  const bytes = [0x67];
  for (let i = 0; i < bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  return new Uint8Array(bytes);
}

function avcC(sps: Uint8Array): Uint8Array {
  const pps = [0x68, 0xee, 0x3c, 0x80];
  return new Uint8Array([1, sps[1]!, sps[2]!, sps[3]!, 0xff, 0xe1, 0, sps.length, ...sps, 1, 0, pps.length, ...pps]);
}
