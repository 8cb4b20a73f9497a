/** H.264 RTP payloads per RFC 6184, packetization-mode 1: single NAL units, STAP-A and FU-A. */

const NAL_TYPE_MASK = 0x1f;
const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;
const STAP_A = 24;
const FU_A = 28;
const STAP_A_LENGTH_BYTES = 2;

/** Payload budget that keeps RTP + SRTP + UDP + IP under a 1280-byte path MTU. */
export const DEFAULT_MAX_PAYLOAD = 1150;

export class AvccError extends Error {
  override name = 'AvccError';
}

export function nalType(nal: Uint8Array): number {
  return nal[0]! & NAL_TYPE_MASK;
}

/** Splits an access unit whose NAL units carry 4-byte big-endian length prefixes (MP4 "AVCC" form). */
export function splitAvcc(accessUnit: Uint8Array): Uint8Array[] {
  const view = new DataView(accessUnit.buffer, accessUnit.byteOffset, accessUnit.byteLength);
  const nals: Uint8Array[] = [];
  let offset = 0;
  while (offset < accessUnit.byteLength) {
    if (offset + 4 > accessUnit.byteLength) throw new AvccError(`truncated NAL length at byte ${offset}`);
    const length = view.getUint32(offset);
    offset += 4;
    if (length === 0 || offset + length > accessUnit.byteLength) {
      throw new AvccError(`NAL length ${length} at byte ${offset - 4} does not fit the ${accessUnit.byteLength}-byte access unit`);
    }
    nals.push(accessUnit.subarray(offset, offset + length));
    offset += length;
  }
  return nals;
}

/**
 * The NAL units to send for one access unit: access-unit delimiters dropped, and the parameter sets
 * put in front of every keyframe that lacks them, so that a viewer can start decoding at any keyframe.
 */
export function framedNals(nals: Uint8Array[], keyframe: boolean, sps: Uint8Array[], pps: Uint8Array[]): Uint8Array[] {
  const kept = nals.filter((nal) => nalType(nal) !== NAL_AUD);
  if (!keyframe || kept.some((nal) => nalType(nal) === NAL_SPS)) return kept;
  const hasPps = kept.some((nal) => nalType(nal) === NAL_PPS);
  return [...sps, ...(hasPps ? [] : pps), ...kept];
}

/**
 * RTP payloads for one access unit, in order. Small NAL units that fit together share a STAP-A;
 * a NAL unit larger than `maxPayload` is split into FU-A fragments. The caller sets the marker bit
 * on the last payload and gives all of them the access unit's timestamp.
 */
export function packetizeH264(nals: Uint8Array[], maxPayload = DEFAULT_MAX_PAYLOAD): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  let aggregate: Uint8Array[] = [];
  const flush = (): void => {
    if (aggregate.length === 1) payloads.push(aggregate[0]!);
    else if (aggregate.length > 1) payloads.push(stapA(aggregate));
    aggregate = [];
  };
  for (const nal of nals) {
    if (nal.byteLength > maxPayload) {
      flush();
      payloads.push(...fuA(nal, maxPayload));
      continue;
    }
    if (stapASize([...aggregate, nal]) > maxPayload) flush();
    aggregate.push(nal);
  }
  flush();
  return payloads;
}

function stapASize(nals: Uint8Array[]): number {
  if (nals.length === 1) return nals[0]!.byteLength;
  return 1 + nals.reduce((size, nal) => size + STAP_A_LENGTH_BYTES + nal.byteLength, 0);
}

function stapA(nals: Uint8Array[]): Uint8Array {
  const payload = new Uint8Array(stapASize(nals));
  const forbidden = nals.reduce((bit, nal) => bit | (nal[0]! & 0x80), 0);
  const nri = nals.reduce((max, nal) => Math.max(max, nal[0]! & 0x60), 0);
  payload[0] = forbidden | nri | STAP_A;
  let offset = 1;
  for (const nal of nals) {
    payload[offset] = nal.byteLength >> 8;
    payload[offset + 1] = nal.byteLength & 0xff;
    payload.set(nal, offset + STAP_A_LENGTH_BYTES);
    offset += STAP_A_LENGTH_BYTES + nal.byteLength;
  }
  return payload;
}

function fuA(nal: Uint8Array, maxPayload: number): Uint8Array[] {
  const indicator = (nal[0]! & 0xe0) | FU_A;
  const type = nalType(nal);
  const body = nal.subarray(1);
  const chunk = maxPayload - 2;
  const fragments: Uint8Array[] = [];
  for (let offset = 0; offset < body.byteLength; offset += chunk) {
    const piece = body.subarray(offset, offset + chunk);
    const start = offset === 0 ? 0x80 : 0;
    const end = offset + chunk >= body.byteLength ? 0x40 : 0;
    const fragment = new Uint8Array(2 + piece.byteLength);
    fragment[0] = indicator;
    fragment[1] = start | end | type;
    fragment.set(piece, 2);
    fragments.push(fragment);
  }
  return fragments;
}
