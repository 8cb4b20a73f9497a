import type { PlayerConfig } from '../config.js';
import type { IceServer, TransportKind } from '../protocol.js';
import type { AvatarWsSignaling } from '../signaling/avatar-ws.js';
import type { DebugLog, Transport } from './transport.js';
import { WebRtcTransport } from './webrtc/webrtc-transport.js';

export interface TransportContext {
  config: PlayerConfig;
  signaling: AvatarWsSignaling;
  /** ICE servers the server handed out in `welcome`, used after the page's own. */
  serverIceServers: IceServer[];
  log: DebugLog;
}

/** The one place that maps a transport name to its implementation. */
export function createTransport(kind: TransportKind, context: TransportContext): Transport {
  switch (kind) {
    case 'webrtc':
      return new WebRtcTransport({
        signaling: context.signaling.webRtcChannel(),
        iceServers: [...context.config.iceServers, ...context.serverIceServers],
        iceTransportPolicy: context.config.iceTransportPolicy,
        log: context.log,
      });
  }
}
