/**
 * MSE: maps the element's media time (seconds on the MediaSource timeline, after the worker's
 * TimestampRebaser moved it) back to stream time, through the rebaser's anchors.
 */

interface Anchor {
  outputTime: number;
  sourceTime: number;
}

const MAX_ANCHORS = 64;

export class MediaTimeMap {
  private readonly anchors: Anchor[] = [];

  /** From media time `outputTime` (s) on, stream time = media time − outputTime + sourceTime. */
  addAnchor(outputTime: number, sourceTime: number): void {
    if (!Number.isFinite(outputTime) || !Number.isFinite(sourceTime)) return;
    // A later anchor at an earlier output time means the media from there on was replaced.
    while (this.anchors.length > 0 && this.anchors.at(-1)!.outputTime >= outputTime) this.anchors.pop();
    this.anchors.push({ outputTime, sourceTime });
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
  }

  /** Stream time (s) of a media time, or undefined before the first anchor. Before the oldest kept anchor, that anchor's mapping holds. */
  streamTimeOf(mediaTime: number): number | undefined {
    if (!Number.isFinite(mediaTime)) return undefined;
    let anchor: Anchor | undefined;
    for (const candidate of this.anchors) {
      if (candidate.outputTime > mediaTime) break;
      anchor = candidate;
    }
    anchor ??= this.anchors[0];
    return anchor && mediaTime - anchor.outputTime + anchor.sourceTime;
  }

  reset(): void {
    this.anchors.length = 0;
  }
}
