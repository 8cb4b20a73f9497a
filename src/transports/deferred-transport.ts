/**
 * A transport whose code loads only when it is used (the MSE path and its dependencies stay out of
 * the element's bundle). It stands in for the real one and forwards its events.
 */

import { PlayerError } from '../events.js';
import type { TransportKind } from '../protocol.js';
import type { PresentedFrame } from '../sync/media-clock.js';
import type { StreamTimeline } from '../sync/stream-timeline.js';
import { TypedEmitter } from '../typed-emitter.js';
import { failureCodeOf, type Transport, type TransportEvents, type TransportStats } from './transport.js';

const FORWARDED = ['firstframe', 'error', 'recovered', 'warning', 'degraded', 'restored'] as const;

export class DeferredTransport extends TypedEmitter<TransportEvents> implements Transport {
  private real: Transport | undefined;
  private closed = false;

  constructor(
    readonly kind: TransportKind,
    private readonly load: () => Promise<Transport>,
    private readonly onClose: () => void = () => undefined,
  ) {
    super();
  }

  async start(video: HTMLVideoElement): Promise<void> {
    let real: Transport;
    try {
      real = await this.load();
    } catch (error) {
      throw new PlayerError(failureCodeOf(this.kind), `the ${this.kind} player failed to load: ${String(error)}`);
    }
    if (this.closed) {
      real.close();
      throw new PlayerError(failureCodeOf(this.kind), 'closed before the media arrived');
    }
    this.real = real;
    for (const type of FORWARDED) this.forward(real, type);
    return real.start(video);
  }

  stats(): TransportStats {
    return this.real?.stats() ?? {};
  }

  quietNow(): boolean | undefined {
    return this.real?.quietNow?.();
  }

  ptsOfFrame(metadata: VideoFrameCallbackMetadata, timeline: StreamTimeline): number | undefined {
    return this.real?.ptsOfFrame?.(metadata, timeline);
  }

  avOffsetOf(frame: PresentedFrame, timeline: StreamTimeline): number | undefined {
    return this.real?.avOffsetOf?.(frame, timeline);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.real?.close();
    this.onClose();
    this.emit('closed', {});
  }

  private forward<K extends (typeof FORWARDED)[number]>(real: Transport, type: K): void {
    real.on(type, (detail) => this.emit(type, detail));
  }
}
