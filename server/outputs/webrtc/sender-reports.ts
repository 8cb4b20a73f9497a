import { RtcpSenderInfo, RtcpSrPacket, type RTCRtpSender } from 'werift';

/** Seconds between 1900-01-01 (NTP era 0) and 1970-01-01 (Unix epoch). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** Early reports come fast so that the browser lip-syncs from the first second, then settle to once a second. */
const EARLY_INTERVAL_MS = 200;
const EARLY_REPORTS = 10;
const STEADY_INTERVAL_MS = 1000;

/** 64-bit NTP timestamp (32.32 fixed point) for a Unix time in milliseconds. */
export function ntpFromUnixMs(unixMs: number): bigint {
  const seconds = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_UNIX_OFFSET_S) << 32n) | BigInt(fraction);
}

export interface SenderClock {
  /** The RTP timestamp that corresponds to this wall-clock time (ms since the Unix epoch). */
  rtpTimestampAt(unixMs: number): number;
  packetCount: number;
  octetCount: number;
}

/**
 * RTCP sender reports that tie RTP time to the server's wall clock, the same way for audio and video,
 * so that the browser can lip-sync the two tracks. werift's own reports are replaced because their NTP
 * fraction is wrong (its whole seconds are right, the fraction is not), which breaks that mapping.
 */
export class SenderReports {
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;

  constructor(
    private readonly sender: RTCRtpSender,
    private readonly clock: SenderClock,
    private readonly now: () => number,
  ) {
    Object.assign(sender, { runRtcp: async () => undefined });
  }

  start(): void {
    if (!this.timer) this.schedule(0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.send().catch(() => undefined); // a report lost while DTLS closes is harmless
      this.schedule(this.sent < EARLY_REPORTS ? EARLY_INTERVAL_MS : STEADY_INTERVAL_MS);
    }, delayMs);
  }

  private async send(): Promise<void> {
    const now = this.now();
    const report = new RtcpSrPacket({
      ssrc: this.sender.ssrc,
      senderInfo: new RtcpSenderInfo({
        ntpTimestamp: ntpFromUnixMs(now),
        rtpTimestamp: this.clock.rtpTimestampAt(now) >>> 0,
        packetCount: this.clock.packetCount >>> 0,
        octetCount: this.clock.octetCount >>> 0,
      }),
    });
    this.sent++;
    await this.sender.dtlsTransport.sendRtcp([report]);
  }
}
