import type { PlayerConfig } from '../config.js';
import type { IceServer } from '../protocol.js';
import { DeferredTransport } from './deferred-transport.js';
import { HeldFeed } from './mse/held-feed.js';
import type { MediaFeed } from './mse/media-feed.js';
import type { DebugLog, Transport } from './transport.js';
import type { WebRtcSignaling } from './webrtc/webrtc-signaling.js';
import { WebRtcTransport } from './webrtc/webrtc-transport.js';

/** What a transport talks through: the signaling it negotiates over, or the feed its media arrives on. */
export type TransportChannel =
  | { kind: 'webrtc'; signaling: WebRtcSignaling; serverIceServers: IceServer[] }
  | { kind: 'mse'; feed: MediaFeed };

/** Buffer the MSE path keeps behind the newest media when the page sets no `latency`. */
export const DEFAULT_MSE_LATENCY_MS = 100;

/** The one place that maps a transport name to its implementation. */
export function createTransport(channel: TransportChannel, config: PlayerConfig, log: DebugLog): Transport {
  switch (channel.kind) {
    case 'webrtc':
      return new WebRtcTransport({
        signaling: channel.signaling,
        iceServers: [...config.iceServers, ...channel.serverIceServers],
        iceTransportPolicy: config.iceTransportPolicy,
        log,
      });
    case 'mse': {
      // The MSE path loads when used; what the server sends meanwhile waits in the held feed.
      const feed = new HeldFeed(channel.feed);
      const targetLatencyMs = config.latencyMs ?? DEFAULT_MSE_LATENCY_MS;
      const load = () => import('./mse/mse-transport.js').then(({ MseTransport }) => new MseTransport({ feed, targetLatencyMs, log }));
      return new DeferredTransport('mse', load, () => feed.close());
    }
  }
}
