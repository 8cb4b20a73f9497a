/**
 * Feeds the sync bench's server the way a lip-sync backend does: copies of the speaking clips appear in the
 * watched clip folder in batches (played back to back: speaking→speaking splices), with an idle gap between
 * batches (idle→idle and idle→speaking splices). The batch order rotates, so that every pair of clips meets.
 */
import { copyFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SPEAKING_CLIPS } from './media/sync-clips.js';

const IDLE_GAP_MS = 2_500;
/** Apart, so that the folder watcher sees (and the server queues) them in order. */
const FILE_SPACING_MS = 60;
const MAX_BATCHES = 1_000;

export class SyncFeeder {
  private running: Promise<void> | undefined;
  private stopped = false;
  private batch = 0;
  /** File name in the clip folder → clip id, for reading the server's send log. */
  readonly clipIds = new Map<string, number>();

  constructor(
    private readonly clipsDir: string,
    private readonly speaking: ReadonlyMap<number, string>,
  ) {}

  start(): void {
    if (this.running) throw new Error('the feeder is already running');
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.running = undefined;
  }

  private async loop(): Promise<void> {
    for (let n = 0; n < MAX_BATCHES && !this.stopped; n++) {
      const batch = this.batch++;
      const order = SPEAKING_CLIPS.map((_, i) => SPEAKING_CLIPS[(i + batch) % SPEAKING_CLIPS.length]!);
      for (const [k, spec] of order.entries()) {
        const name = `b${String(batch).padStart(3, '0')}-${k}-c${spec.id}.mp4`;
        this.clipIds.set(name, spec.id);
        // Written under a temporary name and renamed: the watcher only ever sees a whole clip.
        await copyFile(this.speaking.get(spec.id)!, join(this.clipsDir, `.${name}.part`));
        await rename(join(this.clipsDir, `.${name}.part`), join(this.clipsDir, name));
        await sleep(FILE_SPACING_MS);
      }
      const batchMs = order.reduce((sum, spec) => sum + spec.seconds * 1000, 0);
      await this.sleepUnlessStopped(batchMs + IDLE_GAP_MS);
    }
  }

  private async sleepUnlessStopped(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopped && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
  }
}
