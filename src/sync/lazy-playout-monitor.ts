/**
 * The PlayoutMonitor, loaded when the session first connects: cues, captions and the per-frame figures
 * stay out of the element's first bundle and arrive while the media path is still negotiating. Until
 * then the calls are kept (the video on screen, the cues: a bounded number), and the figures are unknown.
 */

import type { CueMessage } from '../protocol.js';
import type { PlayoutEmit, PlayoutFigures, PlayoutMonitor, PlayoutSource } from './playout-monitor.js';

const MAX_EARLY_CUES = 256;

const UNKNOWN: PlayoutFigures = {
  latencyMs: null,
  avOffsetMs: null,
  positionS: null,
  framesPerSecond: null,
  droppedFrames: null,
  clockOffsetMs: null,
};

export class LazyPlayoutMonitor {
  private real: PlayoutMonitor | undefined;
  private loading: Promise<void> | undefined;
  private watched: { video: HTMLVideoElement; source: PlayoutSource } | undefined;
  private readonly earlyCues: CueMessage[] = [];

  constructor(
    private readonly emit: PlayoutEmit,
    private readonly log: (message: string) => void,
  ) {}

  /** Starts loading; idempotent. A failed load leaves cues and figures off, and says so in the log. */
  load(): void {
    this.loading ??= import('./playout-monitor.js').then(
      ({ PlayoutMonitor }) => {
        this.real = new PlayoutMonitor(this.emit, this.log);
        if (this.watched) this.real.watch(this.watched.video, this.watched.source);
        for (const cue of this.earlyCues.splice(0)) this.real.addCue(cue);
      },
      (error: unknown) => this.log(`cues and timing figures are off: ${String(error)}`),
    );
  }

  watch(video: HTMLVideoElement, source: PlayoutSource): void {
    this.watched = { video, source };
    this.real?.watch(video, source);
  }

  addCue(cue: CueMessage): void {
    if (this.real) this.real.addCue(cue);
    else if (this.earlyCues.length < MAX_EARLY_CUES) this.earlyCues.push(cue);
  }

  stop(): void {
    this.watched = undefined;
    this.earlyCues.length = 0;
    this.real?.stop();
  }

  figures(): PlayoutFigures {
    return this.real?.figures() ?? UNKNOWN;
  }
}
