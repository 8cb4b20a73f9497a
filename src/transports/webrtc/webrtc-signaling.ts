import type { DebugLog } from '../transport.js';

/**
 * What the WebRTC transport needs from a signaling protocol. Each protocol runs the SDP and ICE
 * exchange its own way — the avatar WebSocket answers the server's offers (RemoteOfferNegotiation),
 * WHEP offers and POSTs (WhepClient) — so the transport never sees who offers.
 */
export interface WebRtcSignaling {
  /**
   * Takes over offer/answer and candidate exchange for `pc` (which has no transceivers yet; an
   * offerer adds its recvonly ones). Resolves once the first remote description is applied, so
   * every remote track has been announced; rejects with a PlayerError.
   */
  negotiate(pc: RTCPeerConnection, log: DebugLog): Promise<void>;
  /**
   * Renegotiates ICE with fresh credentials on both sides; resolves once the remote side's new
   * credentials are applied. Rejects with a PlayerError when the remote side refuses or does not
   * answer within `timeoutMs`, with the peer connection back on its previous ICE session.
   */
  restartIce(timeoutMs: number): Promise<void>;
  /** Ends the signaling's part of the session (WHEP: DELETE the resource); idempotent. */
  close(): void;
}
