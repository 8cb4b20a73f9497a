import type { ClockMessage, SkipMessage } from '../../../src/protocol.js';
import { PROTOCOL_VERSION } from '../../../src/protocol.js';
import type { Logger } from '../../log.js';
import { ClockSampler } from '../clock-sampler.js';
import type { Playout } from '../../playout/playout.js';
import type { TimelineSample } from '../../playout/timeline.js';
import { MseFragmenter } from './mse-fragmenter.js';
import { initSegmentOf, sameBytes } from './mse-tracks.js';
import { SlowReaderGate, type SlowReaderLimits } from './slow-reader-gate.js';

/** The WebSocket of one MSE session, as the viewer needs it. */
export interface MseConnection {
  /** Bytes accepted for sending but not yet written to the network (WebSocket.bufferedAmount). */
  readonly bufferedAmount: number;
  /** One binary frame. */
  sendMedia(bytes: Uint8Array): void;
  sendMessage(message: ClockMessage | SkipMessage): void;
}

export interface MseOutputOptions {
  /** Bytes the socket may queue before media is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Queue size below which media resumes, at a keyframe (default half the maximum). */
  resumeBelowBytes?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One client watching the playout as a fragmented-MP4 byte stream on its WebSocket: an init segment whenever the
 * codec configuration changes, then one moof + mdat per sample, sent as the playout releases it, so the pacing
 * is real time. Starts with the GOP on air; a client that reads too slowly is skipped ahead to a later keyframe.
 */
export class MseViewer {
  private readonly fragmenter = new MseFragmenter();
  private readonly gate: SlowReaderGate;
  private unsubscribe: (() => void) | undefined;
  private sentInit: Uint8Array | undefined;
  private waitingForKeyframe = true;
  private readonly clock: ClockSampler;
  private clipSequence: number | undefined;

  constructor(
    private readonly playout: Playout,
    private readonly connection: MseConnection,
    options: MseOutputOptions,
    private readonly log: Logger,
  ) {
    this.gate = new SlowReaderGate(limitsOf(options));
    this.clock = new ClockSampler((pts) => playout.wallClockOf(pts));
  }

  /**
   * Sends the GOP on air at once (the client decodes from its keyframe and starts without waiting up to a
   * GOP for the next one), then every sample as the playout releases it.
   */
  start(): void {
    if (this.unsubscribe) return;
    for (const sample of this.playout.currentGop()) this.onSample(sample);
    this.unsubscribe = this.playout.subscribe((sample) => this.onSample(sample));
  }

  /** The stream's next keyframe comes within one GOP anyway; the clips are pre-encoded. */
  requestKeyframe(): void {
    this.log.debug('keyframe requested: the next one is at most one GOP away');
  }

  close(): void {
    this.unsubscribe?.();
  }

  private onSample(sample: TimelineSample): void {
    if (!this.admit(sample)) return;
    const keyframe = sample.kind === 'video' && sample.keyframe;
    if (this.waitingForKeyframe && !keyframe) return;
    try {
      const fragment = this.fragmenter.fragmentOf(sample);
      const clock = this.clock.sampleFor(sample.pts);
      if (clock) this.connection.sendMessage(clock);
      // A clip's first sample may be audio (its video starts a pre-skip later); the previous clip's video is all out by then.
      if (keyframe || sample.clipSequence !== this.clipSequence) this.sendInitIfChanged(sample);
      this.clipSequence = sample.clipSequence;
      this.connection.sendMedia(fragment);
      this.waitingForKeyframe = false;
    } catch (error) {
      this.log.warn(`skipping a sample of ${sample.clip.name} that cannot be written, until the next keyframe: ${String(error)}`);
      this.waitingForKeyframe = true;
    }
  }

  /** The slow-reader gate: false while media is dropped; says so when the stream resumes after a gap. */
  private admit(sample: TimelineSample): boolean {
    const wasDropping = this.gate.dropping;
    const decision = this.gate.decide(sample, this.connection.bufferedAmount);
    if (decision.action === 'resume') this.reportSkip(decision.from, decision.to);
    if (decision.action === 'drop' && !wasDropping) {
      this.log.info(`slow reader: ${this.connection.bufferedAmount} bytes queued, dropping media until it catches up`);
    }
    return decision.action !== 'drop';
  }

  /** Only at a keyframe or a clip's first sample: what follows must be decodable with the new configuration alone. */
  private sendInitIfChanged(sample: TimelineSample): void {
    const init = initSegmentOf(sample.clip);
    if (sameBytes(this.sentInit, init)) return;
    this.sentInit = init;
    this.connection.sendMedia(init);
  }

  private reportSkip(from: number, to: number): void {
    this.log.warn(`slow reader: dropped ${(to - from).toFixed(3)} s of media (${from.toFixed(3)} → ${to.toFixed(3)}), resuming at a keyframe`);
    this.connection.sendMessage({ v: PROTOCOL_VERSION, type: 'skip', from, to, reason: 'slow-reader' });
    this.clock.reset(); // a fresh clock sample right after the jump
  }
}

function limitsOf(options: MseOutputOptions): SlowReaderLimits {
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  return { maxBufferedBytes, resumeBelowBytes: options.resumeBelowBytes ?? Math.floor(maxBufferedBytes / 2) };
}
