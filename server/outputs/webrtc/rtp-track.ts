import { randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift';
import type { SenderClock } from './sender-reports.js';

/**
 * One outgoing RTP stream: turns payloads stamped with stream pts (seconds) into RTP packets with
 * a random timestamp base and sequence start (RFC 3550), and knows the RTP time of any wall-clock instant.
 */
export class RtpTrack implements SenderClock {
  packetCount = 0;
  octetCount = 0;
  private sequence = randomInt(0, 0x10000);
  private readonly timestampBase = randomInt(0, 2 ** 32 - 1);

  constructor(
    private readonly output: (packet: RtpPacket) => void,
    private readonly clockRate: number,
    /** Wall-clock time (ms since the Unix epoch) of stream pts 0. */
    private readonly epochMs: number,
  ) {}

  timestampOf(pts: number): number {
    return (this.timestampBase + Math.round(pts * this.clockRate)) >>> 0;
  }

  rtpTimestampAt(unixMs: number): number {
    return this.timestampOf((unixMs - this.epochMs) / 1000);
  }

  /** Sends the payloads of one frame; the marker bit goes on the last one when `markLast` is set. */
  send(payloads: Uint8Array[], pts: number, markLast: boolean): void {
    const timestamp = this.timestampOf(pts);
    payloads.forEach((payload, index) => {
      const header = new RtpHeader({
        sequenceNumber: this.sequence,
        timestamp,
        marker: markLast && index === payloads.length - 1,
      });
      this.sequence = (this.sequence + 1) & 0xffff;
      this.packetCount++;
      this.octetCount += payload.byteLength;
      this.output(new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)));
    });
  }
}
