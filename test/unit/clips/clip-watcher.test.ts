import { statSync } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClipWatcher, isClipFileName } from '../../../server/clips/clip-watcher.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';

const CHUNK = new Uint8Array(16 * 1024).fill(7);

let media: MediaDir;
let folder: string;
let watcher: ClipWatcher | undefined;

beforeEach(async () => {
  media = await makeMediaDir('avatar-watch-');
  folder = join(media.dir, 'clips');
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await media.cleanup();
});

interface Emission {
  name: string;
  at: number;
  size: number;
}

/** Starts a watcher that records every emission with the file's size at that moment. */
async function startWatcher(options: ConstructorParameters<typeof ClipWatcher>[1] = {}): Promise<Emission[]> {
  const emissions: Emission[] = [];
  watcher = new ClipWatcher(folder, options);
  watcher.on('clip', (path) => {
    const at = performance.now();
    // The size comes from statSync so that emissions are recorded in the order they happened.
    emissions.push({ name: basename(path), at, size: statSync(path).size });
  });
  await watcher.start();
  return emissions;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

function activeHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'FSEventWrap').length;
}

describe('ClipWatcher', () => {
  it('tells clip names from temporary and hidden ones', () => {
    expect(['a.mp4', 'B.MP4', 'take 2.mp4'].every(isClipFileName)).toBe(true);
    expect(['.a.mp4', 'a.mp4.part', 'a.tmp', 'a.tmp.mp4', 'a.part.mp4', '~a.mp4', 'a.mov', 'a.mp4.crdownload'].some(isClipFileName)).toBe(false);
  });

  it('emits the files already there in name order, skipping temporary, hidden and empty ones', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(folder, { recursive: true });
    for (const name of ['b.mp4', 'c.mp4', 'a.mp4', '.hidden.mp4', 'x.mp4.part', 'y.tmp.mp4', 'notes.txt']) await writeFile(join(folder, name), CHUNK);
    await writeFile(join(folder, 'empty.mp4'), '');
    const emissions = await startWatcher();
    expect(emissions.map((e) => e.name)).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);

    await rename(join(folder, 'x.mp4.part'), join(folder, 'x.mp4'));
    await waitFor(() => emissions.length === 4);
    expect(emissions[3]!.name).toBe('x.mp4');
    await sleep(800);
    expect(emissions.map((e) => e.name)).toEqual(['a.mp4', 'b.mp4', 'c.mp4', 'x.mp4']);
  });

  it('emits a file written slowly in chunks once, only after its last chunk', async () => {
    // A wide stability window, so that a stalled test process cannot look like a finished write.
    const emissions = await startWatcher({ stableMs: 1500 });
    const file = await open(join(folder, 'slow.mp4'), 'w');
    // well under the stability window between chunks
    for (let i = 0; i < 10; i++) {
      await file.write(CHUNK);
      await sleep(70);
    }
    await file.close();
    const finishedAt = performance.now();
    await waitFor(() => emissions.length > 0);
    expect(emissions[0]).toMatchObject({ name: 'slow.mp4', size: 10 * CHUNK.length });
    expect(emissions[0]!.at).toBeGreaterThan(finishedAt);
    await sleep(800);
    expect(emissions).toHaveLength(1);
  });

  it('picks up a file renamed into the folder, and a file replaced under the same name', async () => {
    const emissions = await startWatcher();
    const outside = join(media.dir, 'made-elsewhere.mp4');
    await writeFile(outside, CHUNK);
    await rename(outside, join(folder, 'arrived.mp4'));
    await waitFor(() => emissions.length === 1);
    expect(emissions[0]!.name).toBe('arrived.mp4');

    await writeFile(outside, new Uint8Array(2 * CHUNK.length));
    await rename(outside, join(folder, 'arrived.mp4'));
    await waitFor(() => emissions.length === 2);
    expect(emissions[1]).toMatchObject({ name: 'arrived.mp4', size: 2 * CHUNK.length });

    await rm(join(folder, 'arrived.mp4'));
    await sleep(100);
    await writeFile(join(folder, 'arrived.mp4'), CHUNK);
    await waitFor(() => emissions.length === 3);
    await sleep(800);
    expect(emissions.map((e) => e.name)).toEqual(['arrived.mp4', 'arrived.mp4', 'arrived.mp4']);
  });

  it('leaves no timer or watcher behind after close(), and emits nothing more', async () => {
    const before = activeHandles();
    const emissions = await startWatcher();
    await writeFile(join(folder, 'pending.mp4'), CHUNK);
    await sleep(50);
    expect(activeHandles()).toBeGreaterThan(before);
    watcher!.close();
    expect(activeHandles()).toBe(before);
    await sleep(600);
    expect(emissions).toEqual([]);
  });
});
