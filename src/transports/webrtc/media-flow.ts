/**
 * Whether RTP still arrives (pure: fed the total packets received, audio + video, at each stats
 * poll). Reports a change only: 'silent' once no packet came for `silenceMs` after media had
 * flowed, 'flowing' when packets come again.
 */

export const MEDIA_SILENCE_MS = 2_000;

export class MediaFlowWatch {
  private lastCount = 0;
  private lastChangeAt: number | undefined;
  private silent = false;

  constructor(private readonly silenceMs = MEDIA_SILENCE_MS) {}

  add(packetsReceived: number, atMs: number): 'silent' | 'flowing' | undefined {
    if (packetsReceived > this.lastCount) {
      this.lastCount = packetsReceived;
      this.lastChangeAt = atMs;
      if (!this.silent) return undefined;
      this.silent = false;
      return 'flowing';
    }
    if (this.silent || this.lastChangeAt === undefined || atMs - this.lastChangeAt < this.silenceMs) return undefined;
    this.silent = true;
    return 'silent';
  }
}

/** Packets received over every inbound RTP stream of a getStats() report. */
export function packetsReceivedOf(entries: Iterable<Readonly<Record<string, unknown>>>): number {
  let total = 0;
  for (const entry of entries) {
    const count = entry['packetsReceived'];
    if (entry['type'] === 'inbound-rtp' && typeof count === 'number') total += count;
  }
  return total;
}
