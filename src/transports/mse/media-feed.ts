/**
 * What the MSE transport needs from a byte source, whatever it is: the avatar server's signaling
 * socket (binary frames) or any WebSocket carrying a plain fMP4 stream (`mse-src`). The server's clock
 * samples go to the playback attempt, which owns the stream's timeline for every path.
 */
export interface MediaFeed {
  /** Binary media, in order; boxes may be split across calls at any byte. Returns the unsubscriber. */
  onBytes(listener: (data: ArrayBuffer) => void): () => void;
  /** The source dropped the media between `from` and `to` (stream time, s) because we read too slowly. */
  onSkip(listener: (skip: { from: number; to: number }) => void): () => void;
  /** Asks for a keyframe soon, where the source can be asked. */
  requestKeyframe(): void;
}
