import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinNalUnits, splitNalUnits, toFourByteLengths, withFourByteLengthSize } from '../../../server/clips/avcc.js';
import { parseMp4 } from '../../../server/clips/mp4-parse.js';
import { readClipBytes } from '../../../server/clips/probe.js';
import { nalTypes } from '../../fixtures/clip-checks.js';
import * as media from '../../fixtures/media.js';

let dir: media.MediaDir;
let accessUnits: Uint8Array[];

beforeAll(async () => {
  dir = await media.makeMediaDir();
  const source = await media.makeGoodClip(dir.dir, { seconds: 0.6 });
  accessUnits = parseMp4(await readClipBytes(source), source).video!.samples.map((sample) => sample.data!);
});

afterAll(() => dir?.cleanup());

describe('AVCC length prefixes', () => {
  it('splits real access units into NAL units that join back to the same bytes', () => {
    for (const unit of accessUnits) {
      const nals = splitNalUnits(unit, 4);
      expect(nals).toBeDefined();
      expect(Buffer.from(joinNalUnits(nals!))).toEqual(Buffer.from(unit));
    }
  });

  it('rewrites 2-byte and 3-byte length prefixes to 4 bytes', () => {
    for (const lengthSize of [2, 3]) {
      for (const unit of accessUnits) {
        const short = joinNalUnits(splitNalUnits(unit, 4)!, lengthSize);
        expect(short.length).toBe(unit.length - (4 - lengthSize) * nalTypes(unit)!.length);
        expect(Buffer.from(toFourByteLengths(short, lengthSize)!)).toEqual(Buffer.from(unit));
      }
    }
  });

  it('refuses access units whose lengths do not add up', () => {
    const unit = accessUnits[0]!;
    expect(toFourByteLengths(unit.subarray(0, unit.length - 1), 4)).toBeUndefined();
    expect(toFourByteLengths(new Uint8Array([0, 0, 0, 0]), 4)).toBeUndefined();
    expect(toFourByteLengths(new Uint8Array([0, 0]), 4)).toBeUndefined();
  });

  it('marks an avcC record as using 4-byte lengths without touching the original', () => {
    const record = new Uint8Array([1, 0x4d, 0x40, 0x1e, 0xfd, 0xe1]);
    expect(withFourByteLengthSize(record)[4]).toBe(0xff);
    expect(record[4]).toBe(0xfd);
  });
});
