import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from '../log.js';
import { ClipQueue } from '../playout/clip-queue.js';
import type { Clip } from './clip.js';
import { ClipWatcher } from './clip-watcher.js';
import { makeDemoClips } from './demo-clips.js';
import { loadClip } from './load-clip.js';

export interface ClipLibraryOptions {
  clipsDir?: string;
  idleClip?: string;
  cacheDir: string;
  log: Logger;
}

/**
 * Where clips come from: the idle loop, plus either the built-in demo rotation or every clip that
 * appears in the watched folder, queued in arrival order. A clip that cannot be used is logged and
 * skipped; the playout never waits for one.
 */
export class ClipLibrary {
  private watcher: ClipWatcher | undefined;
  /** Clips load one at a time, so that they play in the order they arrived. */
  private loading = Promise.resolve();

  private constructor(
    readonly queue: ClipQueue,
    readonly idle: Clip,
    private readonly options: ClipLibraryOptions,
  ) {}

  static async open(options: ClipLibraryOptions): Promise<ClipLibrary> {
    const { clipsDir, cacheDir } = options;
    const load = (path: string) => loadClip(path, { cacheDir, log: options.log });
    const idlePath = options.idleClip ?? (clipsDir && existsSync(join(clipsDir, 'idle.mp4')) ? join(clipsDir, 'idle.mp4') : undefined);
    const demo = !clipsDir || !idlePath ? await makeDemoClips(cacheDir) : undefined;
    const idle = await load(idlePath ?? demo!.idle);
    const rotation = clipsDir || !demo ? [] : await Promise.all(demo.speaking.map(load));
    const library = new ClipLibrary(new ClipQueue({ idle, rotation }), idle, { ...options, idleClip: idlePath });
    if (clipsDir) await library.watch(clipsDir);
    return library;
  }

  /** The H.264 profile-level-id to offer: the idle clip's profile, at level 3.1 or higher. */
  get profileLevelId(): string {
    const hex = this.idle.video.codec.split('.')[1] ?? '42e01f';
    const level = Math.max(parseInt(hex.slice(4, 6), 16) || 0, 0x1f);
    return `${hex.slice(0, 4)}${level.toString(16).padStart(2, '0')}`;
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }

  private async watch(dir: string): Promise<void> {
    const idleName = this.options.idleClip && basename(this.options.idleClip);
    this.watcher = new ClipWatcher(dir);
    this.watcher.on('clip', (path: string) => {
      if (basename(path) !== idleName) this.loading = this.loading.then(() => this.enqueue(path));
    });
    await this.watcher.start();
  }

  private async enqueue(path: string): Promise<void> {
    const log = this.options.log;
    try {
      const clip = await loadClip(path, { cacheDir: this.options.cacheDir, log });
      this.queue.enqueue(clip);
      log.info(`queued ${clip.name} (${clip.duration.toFixed(2)} s)`);
    } catch (error) {
      log.warn(`skipped ${basename(path)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
