import type { IceCandidate } from '../../protocol.js';

/**
 * What the WebRTC transport needs from a signaling channel, whatever the protocol behind it
 * (our avatar WebSocket today; WHEP later). The remote side is the offerer.
 */
export interface WebRtcSignaling {
  /** Subscribes to remote SDP offers; returns the function that unsubscribes. */
  onOffer(listener: (sdp: string) => void): () => void;
  /** Subscribes to trickled remote candidates (null = end of candidates). */
  onCandidate(listener: (candidate: IceCandidate | null) => void): () => void;
  sendAnswer(sdp: string): void;
  sendCandidate(candidate: IceCandidate | null): void;
}
