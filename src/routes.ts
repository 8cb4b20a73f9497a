/**
 * Routes: which transport, over which socket. `transports` gives the order; each transport runs
 * where the config gives it a source (`mse` prefers `mse-src`, `webrtc` prefers `whep`, else the avatar
 * server at `src`).
 */

import type { PlayerConfig } from './config.js';
import type { TransportKind } from './protocol.js';

export interface Route {
  kind: TransportKind;
  url: string;
  /** 'avatar': the avatar protocol (docs/protocol.md); 'fmp4': a plain fMP4 byte stream; 'whep': a WHEP endpoint. */
  protocol: 'avatar' | 'fmp4' | 'whep';
}

export function routesOf(config: PlayerConfig): Route[] {
  return config.transports.flatMap((kind): Route[] => {
    if (kind === 'mse' && config.mseSrc) return [{ kind, url: config.mseSrc, protocol: 'fmp4' }];
    if (kind === 'webrtc' && config.whep) return [{ kind, url: config.whep, protocol: 'whep' }];
    return config.src ? [{ kind, url: config.src, protocol: 'avatar' }] : [];
  });
}
