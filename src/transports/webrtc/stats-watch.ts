/**
 * Polls a peer connection's getStats() (once a second while started, and on demand) and reads
 * what the transport acts on: the ICE evidence for classifying a failure, the selected path,
 * media silence and its end, and heavy loss (its start, its end, and when it lasts too long).
 */

import type { DebugLog } from '../transport.js';
import { HeavyLossDetector, inboundVideoSampleOf, type HeavyLossChange } from './heavy-loss.js';
import { MediaFlowWatch, packetsReceivedOf } from './media-flow.js';
import { iceEvidenceOf, mergeEvidence, NO_EVIDENCE, selectedPathOf, type IceEvidence, type WebRtcPath } from './path-classification.js';
import { receiveCountersOf, receiveFigures, type ReceiveCounters, type ReceiveFigures } from './receive-stats.js';

export interface StatsWatchHandlers {
  onMediaSilence(): void;
  onMediaFlowing(): void;
  onHeavyLoss(change: HeavyLossChange): void;
}

export const STATS_EVERY_MS = 1_000;

export class StatsWatch {
  /** Accumulated over every poll; kept after `stop()`. */
  evidence: IceEvidence = NO_EVIDENCE;
  path: WebRtcPath | undefined;
  /** Bitrate, loss and jitter buffer over the last poll interval. */
  receive: ReceiveFigures | undefined;
  private lastCounters: ReceiveCounters | undefined;
  private readonly loss = new HeavyLossDetector();
  private readonly mediaFlow = new MediaFlowWatch();
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
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

  /**
   * One poll now. While one runs, its promise: a caller that awaits it (failureReason()) then sees
   * that poll's evidence, not only what the one before left. Once stopped, no new poll starts.
   */
  poll(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.stopped) return Promise.resolve();
    const polling = this.readStats().finally(() => (this.inFlight = undefined));
    this.inFlight = polling;
    return polling;
  }

  private async readStats(): Promise<void> {
    try {
      const entries = [...(await this.pc.getStats()).values()] as Record<string, unknown>[];
      // Evidence read before a stop still counts: failureReason() may be awaiting this very poll.
      this.evidence = mergeEvidence(this.evidence, iceEvidenceOf(entries));
      this.path = selectedPathOf(entries) ?? this.path;
      if (this.stopped) return;
      this.measureReceive(entries);
      this.checkMediaFlow(entries);
      this.checkLoss(entries);
    } catch (error) {
      this.log(`getStats failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private measureReceive(entries: Record<string, unknown>[]): void {
    const counters = receiveCountersOf(entries, performance.now());
    if (!counters) return;
    // At least half a poll apart: an on-demand poll right after the timer's would give noisy figures.
    if (this.lastCounters && counters.at - this.lastCounters.at < STATS_EVERY_MS / 2) return;
    this.receive = this.lastCounters && receiveFigures(this.lastCounters, counters);
    this.lastCounters = counters;
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
    const change = this.loss.add(sample, state === 'connected' || state === 'completed');
    if (change) this.handlers.onHeavyLoss(change);
  }
}
