import { describe, expect, it } from 'vitest';
import { blockLumas, CODE_BLOCK_PX, CODE_BLOCKS, CODE_HEIGHT_PX, blockLumasFromStrip, decodeBlocks, BLACK, WHITE } from '../../../bench/media/sync-code.js';
import { OnsetDetector } from '../../../bench/onset-detector.js';
import { distribution, glassToGlass, pairFlashesWithBeeps, pairWithDrift, parseSendLog, type SeenFrame } from '../../../bench/sync-analysis.js';
import { quantile } from '../../../bench/stats.js';

function stripOf(lumas: number[]): Uint8ClampedArray {
  const width = CODE_BLOCKS * CODE_BLOCK_PX;
  const rgba = new Uint8ClampedArray(width * CODE_HEIGHT_PX * 4);
  for (let y = 0; y < CODE_HEIGHT_PX; y++) {
    for (let x = 0; x < width; x++) {
      // full-range grey whose limited-range luma is the block's
      const grey = ((lumas[Math.floor(x / CODE_BLOCK_PX)]! - 16) * 255) / 219;
      rgba.set([grey, grey, grey, 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

describe('frame code', () => {
  it('reads back every clip and frame it can carry', () => {
    for (const clip of [0, 1, 7, 15]) {
      for (let frame = 0; frame < 256; frame++) expect(decodeBlocks(blockLumas({ clip, frame }))).toEqual({ clip, frame });
    }
  });

  it('reads a code from a picture strip, blurred block edges and all', () => {
    const rgba = stripOf(blockLumas({ clip: 3, frame: 77 }));
    // blur: the outer quarter of each block is noise
    for (let i = 0; i < rgba.length; i += 4 * CODE_BLOCK_PX) rgba.fill(128, i, i + 12);
    expect(decodeBlocks(blockLumasFromStrip(rgba, CODE_BLOCKS * CODE_BLOCK_PX, CODE_HEIGHT_PX))).toEqual({ clip: 3, frame: 77 });
  });

  it('rejects any single flipped block (the check catches it)', () => {
    const good = blockLumas({ clip: 5, frame: 200 });
    for (let block = 0; block < CODE_BLOCKS; block++) {
      const bad = [...good];
      bad[block] = bad[block] === WHITE ? BLACK : WHITE;
      expect(decodeBlocks(bad), `block ${block}`).toBeNull();
    }
  });

  it('rejects an ambiguous block and a row of the wrong length', () => {
    const lumas = blockLumas({ clip: 2, frame: 9 });
    lumas[4] = 125;
    expect(decodeBlocks(lumas)).toBeNull();
    expect(decodeBlocks(lumas.slice(1))).toBeNull();
  });
});

describe('beep onsets', () => {
  const rate = 48_000;
  function beepAt(samples: Float32Array, at: number): void {
    for (let i = 0; i < 0.02 * rate; i++) samples[at + i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate);
  }

  it('finds each beep to within a few samples, across block boundaries', () => {
    const samples = new Float32Array(3 * rate);
    const starts = [0, 48_000 + 1_000, 96_000 + 77];
    for (const start of starts) beepAt(samples, start);
    const detector = new OnsetDetector();
    const onsets: number[] = [];
    for (let i = 0; i < samples.length; i += 128) onsets.push(...detector.push(samples.subarray(i, i + 128), 1_000_000 + i));
    expect(onsets).toHaveLength(3);
    onsets.forEach((onset, k) => expect(onset - 1_000_000 - starts[k]!).toBeGreaterThanOrEqual(0));
    onsets.forEach((onset, k) => expect(onset - 1_000_000 - starts[k]!).toBeLessThanOrEqual(3));
  });

  it('does not count a second onset within the quiet period (the beep is one onset)', () => {
    const samples = new Float32Array(rate);
    beepAt(samples, 100);
    beepAt(samples, 100 + 2_000);
    expect(new OnsetDetector().push(samples, 0)).toHaveLength(1);
  });
});

describe('pairing and figures', () => {
  it('pairs each flash with its nearest beep once, and marks splices', () => {
    const flashes = [
      { displayMs: 1_000, clip: 1, frame: 0 },
      { displayMs: 2_000, clip: 1, frame: 25 },
      { displayMs: 3_000, clip: 1, frame: 50 },
    ];
    const pairs = pairFlashesWithBeeps(flashes, [1_010, 1_990, 2_600, 5_000]);
    expect(pairs.map((p) => [p.offsetMs, p.splice])).toEqual([
      [-10, true],
      [10, false],
    ]);
  });

  it('follows a drifting offset and leaves a flash whose beep was lost unpaired', () => {
    // audio slips 30 ms later at each splice (every 3rd flash); the beep of the flash at 6 s is lost
    const flashes = Array.from({ length: 12 }, (_, i) => ({ displayMs: 1_000 * (i + 1), clip: 1, frame: (i % 3) * 25 }));
    const offsetAt = (i: number) => -60 - 30 * Math.floor(i / 3) * 3;
    const beeps = flashes.map((f, i) => f.displayMs - offsetAt(i)).filter((_, i) => i !== 5 && i !== 9);
    const pairs = pairWithDrift(flashes, beeps);
    expect(pairs.map((p) => p.videoMs)).not.toContain(6_000);
    expect(pairs.map((p) => p.videoMs)).not.toContain(10_000);
    for (const pair of pairs) expect(pair.offsetMs).toBe(offsetAt(pair.videoMs / 1_000 - 1));
  });

  it('percentiles: median, p5, p95 and the |p95| of magnitudes', () => {
    const values = Array.from({ length: 101 }, (_, i) => i - 50);
    const d = distribution(values);
    expect([d.median, d.p5, d.p95, d.absP95]).toEqual([0, -45, 45, 48]);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('glass-to-glass: the latest send of that clip frame before its display', () => {
    const frames: SeenFrame[] = [
      { displayMs: 10_050, clip: 2, frame: 4, luma: 60, statsLatencyMs: 48, statsAvOffsetMs: null },
      { displayMs: 10_100, clip: null, frame: null, luma: 60, statsLatencyMs: 50, statsAvOffsetMs: null },
    ];
    const { sends, skipped } = parseSendLog(
      [
        '{"pts":1,"time":7000,"clip":"b000-1-c2.mp4","frame":4,"keyframe":false}',
        '{"pts":2,"time":10000,"clip":"b001-1-c2.mp4","frame":4,"keyframe":false}',
        '{"pts":3,"time":10040,"clip":"b001-0-c1.mp4","frame":4,"keyframe":false}',
        'not json',
      ].join('\n'),
    );
    expect(skipped).toBe(1);
    const matched = glassToGlass(frames, sends, (name) => Number(/c(\d+)\.mp4$/.exec(name)?.[1] ?? Number.NaN));
    expect(matched).toEqual([{ displayMs: 10_050, clip: 2, frame: 4, measuredMs: 50, playerMs: 48 }]);
  });
});
