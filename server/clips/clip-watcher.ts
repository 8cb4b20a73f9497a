import { EventEmitter } from 'node:events';
import { watch, type FSWatcher, type Stats } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';

const DEFAULT_STABLE_MS = 300;
const DEFAULT_RESCAN_MS = 2000;
/** A folder with more entries than this is scanned in part (name order); the rest wait for later scans. */
const MAX_ENTRIES_PER_SCAN = 10_000;

export interface ClipWatcherOptions {
  /** Size and mtime must stay the same this long before a file counts as completely written. */
  stableMs?: number;
  /** Period of the rescan that catches whatever fs.watch missed. */
  rescanMs?: number;
  log?: Pick<Logger, 'warn'>;
}

export interface ClipWatcherEvents {
  /** A new .mp4 file, completely written: its full path. */
  clip: [path: string];
}

interface Snapshot {
  size: number;
  mtimeMs: number;
  /** Which file this is: ext4 reuses a freed inode at once, so the inode alone cannot tell a rewrite. */
  identity: string;
}

/** Editors and downloaders write under such names and rename when done. */
const TEMPORARY_NAME = /^[.~]|\.(tmp|temp|part|partial|crdownload|download)(\.|$)/i;

export function isClipFileName(name: string): boolean {
  return name.toLowerCase().endsWith('.mp4') && !TEMPORARY_NAME.test(name);
}

/**
 * Watches a folder and emits each new .mp4 exactly once, once its size and mtime have stayed the same
 * for `stableMs` (a file renamed into place passes at the first re-check). Files already there at
 * start are emitted first, in name order. fs.watch drives it; a periodic rescan is the safety net.
 * A file replaced under the same name (a new inode or birth time) counts as new; one deleted is forgotten.
 */
export class ClipWatcher extends EventEmitter<ClipWatcherEvents> {
  private readonly stableMs: number;
  private readonly rescanMs: number;
  private readonly emitted = new Map<string, string>();
  private readonly checking = new Map<string, NodeJS.Timeout | undefined>();
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private startupWait: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private scanning = false;
  private started = false;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly options: ClipWatcherOptions = {},
  ) {
    super();
    this.stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
    this.rescanMs = options.rescanMs ?? DEFAULT_RESCAN_MS;
  }

  /** Creates the folder if needed and resolves once the files already in it have been emitted. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ClipWatcher.start() was called twice');
    this.started = true;
    await mkdir(this.dir, { recursive: true });
    if (this.closed) return;
    this.ensureWatching();
    await this.emitExisting();
    if (this.closed) return;
    this.rescanTimer = setInterval(() => void this.rescan(), this.rescanMs);
  }

  /** Stops watching; no timer or watcher is left behind and nothing more is emitted. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.rescanTimer);
    for (const timer of this.checking.values()) clearTimeout(timer);
    this.checking.clear();
    if (this.startupWait) {
      clearTimeout(this.startupWait.timer);
      this.startupWait.resolve();
    }
  }

  private async emitExisting(): Promise<void> {
    const names = await this.listClipNames();
    for (const name of names) this.checking.set(name, undefined);
    const before = await Promise.all(names.map((name) => this.snapshot(name)));
    await new Promise<void>((resolve) => {
      this.startupWait = { timer: setTimeout(resolve, this.stableMs), resolve };
    });
    this.startupWait = undefined;
    const after = await Promise.all(names.map((name) => this.snapshot(name)));
    names.forEach((name, i) => {
      if (this.closed) return;
      this.checking.delete(name);
      const [first, second] = [before[i], after[i]];
      if (first && second && isStable(first, second)) this.emitClip(name, second);
      else this.consider(name);
    });
  }

  private ensureWatching(): void {
    if (this.watcher || this.closed) return;
    try {
      this.watcher = watch(this.dir, (_event, filename) => {
        if (filename) this.consider(filename.toString());
        else void this.rescan();
      });
      this.watcher.on('error', (error) => {
        this.options.log?.warn(`watching ${this.dir} failed (${error.message}); relying on rescans`);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (error) {
      this.options.log?.warn(`cannot watch ${this.dir} (${error instanceof Error ? error.message : String(error)}); relying on rescans`);
    }
  }

  private async rescan(): Promise<void> {
    if (this.scanning || this.closed) return;
    this.scanning = true;
    try {
      this.ensureWatching();
      const names = await this.listClipNames();
      const present = new Set(names);
      for (const name of this.emitted.keys()) if (!present.has(name)) this.emitted.delete(name);
      for (const name of names) this.consider(name);
    } finally {
      this.scanning = false;
    }
  }

  /** Starts a stability check of `name` unless one runs already or it was emitted. */
  private consider(name: string): void {
    if (this.closed || !isClipFileName(name) || this.checking.has(name)) return;
    this.checking.set(name, undefined);
    void this.snapshot(name).then((first) => this.checkLater(name, first));
  }

  private checkLater(name: string, previous: Snapshot | undefined): void {
    if (this.closed) return;
    if (!previous || this.emitted.get(name) === previous.identity) {
      if (!previous) this.emitted.delete(name);
      this.checking.delete(name);
      return;
    }
    const timer = setTimeout(() => {
      void this.snapshot(name).then((current) => {
        if (this.closed) return;
        if (current && isStable(previous, current)) {
          this.checking.delete(name);
          this.emitClip(name, current);
        } else {
          this.checkLater(name, current);
        }
      });
    }, this.stableMs);
    this.checking.set(name, timer);
  }

  private emitClip(name: string, snapshot: Snapshot): void {
    if (this.closed || this.emitted.get(name) === snapshot.identity) return;
    this.emitted.set(name, snapshot.identity);
    this.emit('clip', join(this.dir, name));
  }

  private async listClipNames(): Promise<string[]> {
    try {
      const names = await readdir(this.dir);
      return names.filter(isClipFileName).sort().slice(0, MAX_ENTRIES_PER_SCAN);
    } catch (error) {
      this.options.log?.warn(`cannot list ${this.dir}: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  private async snapshot(name: string): Promise<Snapshot | undefined> {
    const info: Stats | undefined = await stat(join(this.dir, name)).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { size: info.size, mtimeMs: info.mtimeMs, identity: `${info.ino}:${info.birthtimeMs}` };
  }
}

function isStable(before: Snapshot, after: Snapshot): boolean {
  return after.size > 0 && after.size === before.size && after.mtimeMs === before.mtimeMs && after.identity === before.identity;
}
