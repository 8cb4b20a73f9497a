/**
 * Maps a media time on the element back to the stream timeline (through the remuxer's anchors) and
 * on to the server's wall clock (through the server's clock samples). From that comes the live
 * glass-to-glass latency of a displayed frame.
 */

interface Anchor {
  outputTime: number;
  sourceTime: number;
}

const MAX_ANCHORS = 64;

export class StreamClock {
  private readonly anchors: Anchor[] = [];
  /** Server wall clock (ms) of stream time 0, from the latest clock sample. */
  private serverEpochMs: number | undefined;

  /** From `outputTime` on (media time, s), stream time = media time − outputTime + sourceTime. */
  addAnchor(outputTime: number, sourceTime: number): void {
    while (this.anchors.length > 0 && this.anchors.at(-1)!.outputTime >= outputTime) this.anchors.pop();
    this.anchors.push({ outputTime, sourceTime });
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
  }

  /** The media at stream time `pts` (s) left the server at `time` (ms since the epoch). */
  addClockSample(pts: number, time: number): void {
    this.serverEpochMs = time - pts * 1000;
  }

  streamTimeOf(mediaTime: number): number | undefined {
    let anchor: Anchor | undefined;
    for (const candidate of this.anchors) {
      if (candidate.outputTime > mediaTime) break;
      anchor = candidate;
    }
    anchor ??= this.anchors[0];
    return anchor && mediaTime - anchor.outputTime + anchor.sourceTime;
  }

  /** When the media at `mediaTime` left the server (ms since the epoch), if the server says. */
  serverTimeOf(mediaTime: number): number | undefined {
    const streamTime = this.streamTimeOf(mediaTime);
    if (streamTime === undefined || this.serverEpochMs === undefined) return undefined;
    return this.serverEpochMs + streamTime * 1000;
  }
}
