/**
 * What the MSE transport needs from a byte source, whatever it is: the avatar server's signaling
 * socket (binary frames + clock samples) or any WebSocket carrying a plain fMP4 stream (`mse-src`).
 */
export interface MediaFeed {
  /** Binary media, in order; boxes may be split across calls at any byte. Returns the unsubscriber. */
  onBytes(listener: (data: ArrayBuffer) => void): () => void;
  /** Clock samples: the media with stream time `pts` (s) left the server at `time` (ms since the epoch). */
  onClock(listener: (sample: { pts: number; time: number }) => void): () => void;
  /** The source dropped the media between `from` and `to` (stream time, s) because we read too slowly. */
  onSkip(listener: (skip: { from: number; to: number }) => void): () => void;
  /** Asks for a keyframe soon, where the source can be asked. */
  requestKeyframe(): void;
}
