import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from '../log.js';
import { wallClockMs, type Playout } from './playout.js';
import type { TimelineSample } from './timeline.js';

/** Bytes the file may have queued before lines are dropped (a stuck disk must not grow the heap). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** One line of the send log: a video frame as the playout sent it. */
export interface SendLogLine {
  pts: number;
  /** Wall clock (ms since the Unix epoch) when the playout handed the frame to the outputs. */
  time: number;
  /** The clip's file name. */
  clip: string;
  /** Index of the frame among its clip's video samples. */
  frame: number;
  keyframe: boolean;
}

/**
 * Writes one JSON line per video frame the playout sends, for the benchmark (which compares them with the
 * frames it sees on screen). Lines are dropped, and counted, while the file cannot keep up.
 */
export class SendLog {
  private dropped = 0;
  private failed = false;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly stream: WriteStream,
    playout: Playout,
    private readonly log: Logger,
  ) {
    stream.on('error', (error) => {
      if (!this.failed) log.error(`send log: ${error.message}; no more lines are written`);
      this.failed = true;
    });
    this.unsubscribe = playout.subscribe((sample) => this.write(sample));
  }

  /** Opens (truncates) `file`; rejects when it cannot be created. */
  static async open(file: string, playout: Playout, log: Logger): Promise<SendLog> {
    const stream = createWriteStream(file, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', () => resolve());
      stream.once('error', reject);
    });
    return new SendLog(stream, playout, log);
  }

  /** Stops logging and flushes what is queued to the file. */
  async close(): Promise<void> {
    this.unsubscribe();
    if (this.dropped > 0) this.log.warn(`send log: ${this.dropped} lines dropped because the file could not keep up`);
    if (this.failed || this.stream.closed) return;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }

  private write(sample: TimelineSample): void {
    if (sample.kind !== 'video' || this.failed) return;
    if (this.stream.writableLength > MAX_BUFFERED_BYTES) {
      this.dropped++;
      return;
    }
    const line: SendLogLine = { pts: sample.pts, time: wallClockMs(), clip: sample.clip.name, frame: sample.index, keyframe: sample.keyframe };
    this.stream.write(`${JSON.stringify(line)}\n`);
  }
}
