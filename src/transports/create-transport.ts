import type { PlayerConfig } from '../config.js';
import type { IceServer } from '../protocol.js';
import type { MediaFeed } from './mse/media-feed.js';
import { MseTransport } from './mse/mse-transport.js';
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
    case 'mse':
      return new MseTransport({ feed: channel.feed, targetLatencyMs: config.latencyMs ?? DEFAULT_MSE_LATENCY_MS, log });
  }
}
