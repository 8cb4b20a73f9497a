export interface SlowReaderLimits {
  /** Past this many bytes queued on the socket, media is dropped until the reader catches up. */
  maxBufferedBytes: number;
  /** Media resumes at the first video keyframe found with no more than this queued. */
  resumeBelowBytes: number;
}

export interface GatedSample {
  kind: 'video' | 'audio';
  pts: number;
  keyframe?: boolean;
}

export type GateDecision =
  | { action: 'send' }
  | { action: 'drop' }
  /** Send this sample (a keyframe) after saying that the media from `from` to `to` was dropped. */
  | { action: 'resume'; from: number; to: number };

/**
 * Keeps a slow reader from growing the server's memory: once too much is queued, samples are dropped
 * until a video keyframe arrives at a moment the queue has drained, so that the stream resumes decodable.
 */
export class SlowReaderGate {
  private droppingFrom: number | undefined;

  constructor(private readonly limits: SlowReaderLimits) {}

  get dropping(): boolean {
    return this.droppingFrom !== undefined;
  }

  decide(sample: GatedSample, bufferedBytes: number): GateDecision {
    if (this.droppingFrom === undefined) {
      if (bufferedBytes <= this.limits.maxBufferedBytes) return { action: 'send' };
      this.droppingFrom = sample.pts;
      return { action: 'drop' };
    }
    if (sample.kind !== 'video' || !sample.keyframe || bufferedBytes > this.limits.resumeBelowBytes) return { action: 'drop' };
    const from = this.droppingFrom;
    this.droppingFrom = undefined;
    return { action: 'resume', from, to: sample.pts };
  }
}
