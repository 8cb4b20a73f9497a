import { describe, expect, it } from 'vitest';
import { AvccError, DEFAULT_MAX_PAYLOAD, framedNals, packetizeH264, splitAvcc } from '../../../server/outputs/webrtc/h264-packetizer.js';
import { RtpTrack } from '../../../server/outputs/webrtc/rtp-track.js';
import type { RtpPacket } from 'werift';

/** A receiver's view (RFC 6184): rebuilds NAL units from single-NAL, STAP-A and FU-A payloads. */
function depacketize(payloads: Uint8Array[]): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let fragments: number[] | undefined;
  for (const p of payloads) {
    const type = p[0]! & 0x1f;
    if (type === 24) {
      for (let o = 1; o < p.length; ) {
        const size = (p[o]! << 8) | p[o + 1]!;
        nals.push(p.slice(o + 2, o + 2 + size));
        o += 2 + size;
      }
    } else if (type === 28) {
      const start = (p[1]! & 0x80) !== 0;
      const end = (p[1]! & 0x40) !== 0;
      if (start) fragments = [(p[0]! & 0xe0) | (p[1]! & 0x1f)];
      if (!fragments) throw new Error('FU-A continuation without a start');
      fragments.push(...p.subarray(2));
      if (end) {
        nals.push(Uint8Array.from(fragments));
        fragments = undefined;
      }
    } else {
      nals.push(p);
    }
  }
  return nals;
}

function nal(type: number, size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes[0] = 0x60 | type;
  for (let i = 1; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function avcc(nals: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nals.reduce((n, x) => n + 4 + x.length, 0));
  const view = new DataView(out.buffer);
  let o = 0;
  for (const x of nals) {
    view.setUint32(o, x.length);
    out.set(x, o + 4);
    o += 4 + x.length;
  }
  return out;
}

describe('H.264 packetizer (RFC 6184)', () => {
  it('splits a NAL larger than the MTU into FU-A fragments that reassemble byte-exact', () => {
    const big = nal(5, 50_000, 7);
    const payloads = packetizeH264([big]);
    expect(payloads.length).toBe(Math.ceil((big.length - 1) / (DEFAULT_MAX_PAYLOAD - 2)));
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
    expect(payloads.every((p) => (p[0]! & 0x1f) === 28)).toBe(true);
    expect(payloads[0]![1]! & 0x80).toBe(0x80);
    expect(payloads.at(-1)![1]! & 0x40).toBe(0x40);
    expect(depacketize(payloads)).toEqual([big]);
  });

  it('aggregates small NAL units into STAP-A and keeps their order', () => {
    const nals = [nal(7, 20), nal(8, 6), nal(5, 300), nal(5, 2000, 3), nal(1, 40)];
    const payloads = packetizeH264(nals);
    expect(payloads[0]![0]! & 0x1f).toBe(24);
    expect(depacketize(payloads)).toEqual(nals);
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
  });

  it('sends a NAL that fits alone as a single NAL unit packet', () => {
    const one = nal(1, 900);
    expect(packetizeH264([one])).toEqual([one]);
  });

  it('puts SPS and PPS in front of a keyframe that lacks them and drops access-unit delimiters', () => {
    const sps = nal(7, 12);
    const pps = nal(8, 4);
    const framed = framedNals([nal(9, 2), nal(5, 100)], true, [sps], [pps]);
    expect(framed.map((n) => n[0]! & 0x1f)).toEqual([7, 8, 5]);
    expect(framedNals([nal(1, 100)], false, [sps], [pps]).map((n) => n[0]! & 0x1f)).toEqual([1]);
    expect(framedNals([sps, pps, nal(5, 10)], true, [sps], [pps])).toHaveLength(3);
  });

  it('splits AVCC access units and refuses lengths that overrun', () => {
    const nals = [nal(7, 10), nal(5, 1000)];
    expect(splitAvcc(avcc(nals))).toEqual(nals);
    const broken = avcc(nals).slice(0, 900);
    expect(() => splitAvcc(broken)).toThrow(AvccError);
    expect(() => splitAvcc(Uint8Array.of(0, 0, 0))).toThrow(AvccError);
  });
});

describe('RTP framing of one frame', () => {
  it('gives every packet of a frame one timestamp and the marker bit to the last only', () => {
    const packets: RtpPacket[] = [];
    const track = new RtpTrack((p) => packets.push(p), 90000, 0);
    const frame = packetizeH264([nal(7, 10), nal(8, 4), nal(5, 10_000)]);
    track.send(frame, 1.0, true);
    track.send(packetizeH264([nal(1, 3000)]), 1.04, true);
    const first = packets.slice(0, frame.length);
    expect(new Set(first.map((p) => p.header.timestamp)).size).toBe(1);
    expect(first.map((p) => p.header.marker)).toEqual(first.map((_, i) => i === first.length - 1));
    const second = packets.slice(frame.length);
    expect(second[0]!.header.timestamp - first[0]!.header.timestamp).toBe(3600);
    const sequences = packets.map((p) => p.header.sequenceNumber);
    sequences.slice(1).forEach((s, i) => expect(s).toBe((sequences[i]! + 1) & 0xffff));
  });

  it('maps wall-clock time to the same RTP time as the pts sent at that instant', () => {
    const track = new RtpTrack(() => undefined, 48000, 1_000_000);
    expect(track.rtpTimestampAt(1_000_000 + 2500)).toBe(track.timestampOf(2.5));
  });
});
