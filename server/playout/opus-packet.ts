/** Samples per Opus frame at 48 kHz, by the TOC's configuration number (RFC 6716 §3.1, table 2). */
const SILK_FRAME = [480, 960, 1920, 2880];
const HYBRID_FRAME = [480, 960];
const CELT_FRAME = [120, 240, 480, 960];
/** RFC 6716 §3.2.5: a packet holds at most 120 ms of audio. */
const MAX_PACKET_SAMPLES = 5760;

/**
 * How many 48 kHz samples an Opus packet decodes to, read from its TOC byte (and the frame count byte of a
 * code 3 packet), or undefined when the header is malformed. A decoder always outputs this much, whatever
 * duration a container gave the packet: an MP4's last packet is usually cut short to the stream's length.
 */
export function opusPacketSamples(packet: Uint8Array): number | undefined {
  const toc = packet[0];
  if (toc === undefined) return undefined;
  const config = toc >> 3;
  const frameSamples = config < 12 ? SILK_FRAME[config % 4]! : config < 16 ? HYBRID_FRAME[config % 2]! : CELT_FRAME[config % 4]!;
  const frames = frameCount(toc & 3, packet[1]);
  if (frames === undefined || frames === 0) return undefined;
  const samples = frameSamples * frames;
  return samples <= MAX_PACKET_SAMPLES ? samples : undefined;
}

function frameCount(code: number, countByte: number | undefined): number | undefined {
  if (code === 0) return 1;
  if (code === 1 || code === 2) return 2;
  return countByte === undefined ? undefined : countByte & 0x3f;
}

export type OpusMode = 'silk' | 'hybrid' | 'celt';

/** The coding mode of an Opus packet, from its TOC (RFC 6716 §3.1), or undefined for an empty packet. */
export function opusModeOf(packet: Uint8Array): OpusMode | undefined {
  const toc = packet[0];
  if (toc === undefined) return undefined;
  const config = toc >> 3;
  return config < 12 ? 'silk' : config < 16 ? 'hybrid' : 'celt';
}

/** Samples at 48 kHz that each decoder-reset packet decodes to: 10 ms. */
export const DECODER_RESET_SAMPLES = 480;
/** A SILK-only narrowband 10 ms mono packet: libopus's first packet for near-silent noise (−60 dBFS) with `-application voip`. */
const SILK_RESET = Uint8Array.of(0x00, 0x01, 0x7b, 0x14, 0xdd, 0x2b, 0x1c);
/** A CELT-only narrowband 10 ms mono packet of silence, as libopus encodes digital silence. */
const CELT_RESET = Uint8Array.of(0x90, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00);

/**
 * A short quiet packet to send right before a clip whose first packet is `next`, so that every receiver's Opus
 * decoder starts that clip from a clean state, as its encoder did. A clip is encoded from a fresh encoder
 * state, but a receiver's decoder goes on from the previous clip's state: CELT predicts each frame's band
 * energies from the previous frame's, so the first 20–40 ms of the new clip come out up to 27 dB too quiet
 * (or too loud after loud speech). Decoders reset the CELT part when the mode changes from SILK-only, and
 * the SILK part when it changes from CELT-only (RFC 6716 §4.5, the reference decoder): a packet of the other
 * mode does it on every receiver (NetEq, Chromium's MSE decoder), without re-encoding anything. A mono packet
 * suits stereo streams too (RFC 6716 §3.1: any packet may switch).
 */
export function decoderResetPacket(next: Uint8Array): Uint8Array {
  return opusModeOf(next) === 'silk' ? CELT_RESET : SILK_RESET;
}
