/**
 * Polls a peer connection's getStats() (at most once a second, only while started) and reads
 * what the transport acts on: the ICE evidence for classifying a failure, the selected path,
 * media silence and its end, and sustained heavy loss.
 */

import type { DebugLog } from '../transport.js';
import { HeavyLossDetector, inboundVideoSampleOf } from './heavy-loss.js';
import { MediaFlowWatch, packetsReceivedOf } from './media-flow.js';
import { iceEvidenceOf, mergeEvidence, NO_EVIDENCE, selectedPathOf, type IceEvidence, type WebRtcPath } from './path-classification.js';

export interface StatsWatchHandlers {
  onMediaSilence(): void;
  onMediaFlowing(): void;
  onHeavyLoss(description: string): void;
}

export const STATS_EVERY_MS = 1_000;

export class StatsWatch {
  /** Accumulated over every poll; kept after `stop()`. */
  evidence: IceEvidence = NO_EVIDENCE;
  path: WebRtcPath | undefined;
  private readonly loss = new HeavyLossDetector();
  private readonly mediaFlow = new MediaFlowWatch();
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly log: DebugLog,
    private readonly handlers: StatsWatchHandlers,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), STATS_EVERY_MS);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One poll now (skipped while one runs, or once stopped). */
  async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      const entries = [...(await this.pc.getStats()).values()] as Record<string, unknown>[];
      if (this.stopped) return;
      this.evidence = mergeEvidence(this.evidence, iceEvidenceOf(entries));
      this.path = selectedPathOf(entries) ?? this.path;
      this.checkMediaFlow(entries);
      this.checkLoss(entries);
    } catch (error) {
      this.log(`getStats failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.polling = false;
    }
  }

  private checkMediaFlow(entries: Record<string, unknown>[]): void {
    const change = this.mediaFlow.add(packetsReceivedOf(entries), performance.now());
    if (change === 'silent') {
      this.log('media silence: no RTP packet for 2 s');
      this.handlers.onMediaSilence();
    }
    if (change === 'flowing') this.handlers.onMediaFlowing();
  }

  private checkLoss(entries: Record<string, unknown>[]): void {
    const sample = inboundVideoSampleOf(entries, performance.now());
    if (!sample) return;
    const state = this.pc.iceConnectionState;
    const heavy = this.loss.add(sample, state === 'connected' || state === 'completed');
    if (heavy) this.handlers.onHeavyLoss(heavy);
  }
}
