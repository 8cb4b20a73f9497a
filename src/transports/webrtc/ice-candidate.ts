import type { IceCandidate } from '../../protocol.js';

/** A browser candidate as the avatar protocol carries it. */
export function toIceCandidate(candidate: RTCIceCandidate): IceCandidate {
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
  return { candidate: candidate.candidate, sdpMid, sdpMLineIndex, usernameFragment };
}
