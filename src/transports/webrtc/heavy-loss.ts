/**
 * Heavy loss on a connected WebRTC path (pure: fed one inbound-rtp video sample per stats poll).
 * Heavy: more than `maxLossRatio` of the packets lost over `windowMs`, or no frame decoded for
 * `frozenMs` while ICE is connected and packets arrive. Periods without ICE or without any packet,
 * and `settleMs` after packets flow again, do not count: an outage is the ICE restart policy's
 * business, and the packets lost during it show up as one jump in `packetsLost` later.
 *
 * It reports changes: 'heavy' when the loss becomes heavy (the path is degraded: a standby may take
 * over), 'cleared' when it falls back under the limit, and 'sustained' once it has stayed heavy for
 * `failAfterMs` (the path is given up). A lossy link that comes and goes is the session's
 * hysteresis to judge, not a reason to drop the path at once.
 */

export interface InboundVideoSample {
  /** ms, any monotonic clock. */
  at: number;
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
}

export interface HeavyLossLimits {
  maxLossRatio: number;
  windowMs: number;
  frozenMs: number;
  settleMs: number;
  /** Heavy without a break for this long: the path is given up. */
  failAfterMs: number;
}

export const DEFAULT_HEAVY_LOSS_LIMITS: HeavyLossLimits = {
  maxLossRatio: 0.25,
  windowMs: 5_000,
  frozenMs: 4_000,
  settleMs: 2_000,
  failAfterMs: 10_000,
};

export type HeavyLossChange =
  | { kind: 'heavy'; description: string }
  | { kind: 'cleared' }
  | { kind: 'sustained'; description: string };

export class HeavyLossDetector {
  private window: InboundVideoSample[] = [];
  private lastDecodeProgress: number | undefined;
  private connectedSince: number | undefined;
  private lastPacketsReceived = -1;
  private heavySince: number | undefined;
  private sustainedReported = false;

  constructor(private readonly limits: HeavyLossLimits = DEFAULT_HEAVY_LOSS_LIMITS) {}

  /** Feeds one sample; returns what changed, if anything. */
  add(sample: InboundVideoSample, iceConnected: boolean): HeavyLossChange | undefined {
    const heavy = this.assess(sample, iceConnected);
    if (heavy === undefined) {
      if (this.heavySince === undefined) return undefined;
      this.heavySince = undefined;
      this.sustainedReported = false;
      return { kind: 'cleared' };
    }
    if (this.heavySince === undefined) {
      this.heavySince = sample.at;
      return { kind: 'heavy', description: heavy };
    }
    const heavyForMs = sample.at - this.heavySince;
    if (heavyForMs < this.limits.failAfterMs || this.sustainedReported) return undefined;
    this.sustainedReported = true;
    return { kind: 'sustained', description: `${heavy}, heavy for ${Math.round(heavyForMs / 1000)} s` };
  }

  /** A description of the heavy loss when it holds now, else undefined. */
  private assess(sample: InboundVideoSample, iceConnected: boolean): string | undefined {
    const packetsArrived = sample.packetsReceived > this.lastPacketsReceived;
    this.lastPacketsReceived = sample.packetsReceived;
    if (!iceConnected || !packetsArrived) {
      this.reset();
      return undefined;
    }
    this.connectedSince ??= sample.at;
    if (sample.at - this.connectedSince < this.limits.settleMs) {
      this.window = [sample];
      this.lastDecodeProgress = sample.at;
      return undefined;
    }
    return this.frozen(sample) ?? this.lossy(sample);
  }

  private frozen(sample: InboundVideoSample): string | undefined {
    const previous = this.window.at(-1);
    if (!previous || sample.framesDecoded > previous.framesDecoded || sample.framesDecoded === 0) this.lastDecodeProgress = sample.at;
    const stuckMs = sample.at - (this.lastDecodeProgress ?? sample.at);
    return stuckMs >= this.limits.frozenMs ? `no video frame decoded for ${Math.round(stuckMs)} ms while ICE is connected` : undefined;
  }

  private lossy(sample: InboundVideoSample): string | undefined {
    this.window.push(sample);
    while (this.window.length > 2 && sample.at - (this.window[1]?.at ?? sample.at) >= this.limits.windowMs) this.window.shift();
    const first = this.window[0];
    if (!first || sample.at - first.at < this.limits.windowMs) return undefined;
    const lost = sample.packetsLost - first.packetsLost;
    const received = sample.packetsReceived - first.packetsReceived;
    const ratio = lost + received > 0 ? lost / (lost + received) : 0;
    if (ratio <= this.limits.maxLossRatio) return undefined;
    return `${Math.round(ratio * 100)} % of video packets lost over ${Math.round((sample.at - first.at) / 1000)} s`;
  }

  private reset(): void {
    this.window = [];
    this.lastDecodeProgress = undefined;
    this.connectedSince = undefined;
  }
}

/** The inbound video RTP stream of a getStats() report, as a sample; undefined before it exists. */
export function inboundVideoSampleOf(entries: Iterable<Readonly<Record<string, unknown>>>, at: number): InboundVideoSample | undefined {
  for (const entry of entries) {
    if (entry['type'] !== 'inbound-rtp' || entry['kind'] !== 'video') continue;
    return {
      at,
      packetsReceived: numberOr0(entry['packetsReceived']),
      packetsLost: numberOr0(entry['packetsLost']),
      framesDecoded: numberOr0(entry['framesDecoded']),
    };
  }
  return undefined;
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
