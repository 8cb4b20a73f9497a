import { describe, expect, it } from 'vitest';
import { HeldFeed } from '../../../src/transports/mse/held-feed.js';
import type { MediaFeed } from '../../../src/transports/mse/media-feed.js';

/** A feed the test drives by hand. */
function manualFeed() {
  const listeners = { bytes: new Set<(data: ArrayBuffer) => void>(), skip: new Set<(s: { from: number; to: number }) => void>() };
  let keyframeRequests = 0;
  const feed: MediaFeed = {
    onBytes: (l) => (listeners.bytes.add(l), () => listeners.bytes.delete(l)),
    onSkip: (l) => (listeners.skip.add(l), () => listeners.skip.delete(l)),
    requestKeyframe: () => void keyframeRequests++,
  };
  return {
    feed,
    listeners,
    keyframeRequests: () => keyframeRequests,
    bytes: (...values: number[]) => listeners.bytes.forEach((l) => l(Uint8Array.from(values).buffer)),
    skip: (from: number, to: number) => listeners.skip.forEach((l) => l({ from, to })),
  };
}

function record(held: HeldFeed): string[] {
  const seen: string[] = [];
  held.onBytes((data) => seen.push(`bytes ${[...new Uint8Array(data)].join(',')}`));
  held.onSkip(({ from, to }) => seen.push(`skip ${from}-${to}`));
  return seen;
}

describe('HeldFeed', () => {
  it('keeps what arrives before its reader subscribes and hands it over in order, then passes through', async () => {
    const source = manualFeed();
    const held = new HeldFeed(source.feed);
    source.bytes(1, 2);
    source.bytes(3);
    source.skip(1, 2);
    const seen = record(held);
    expect(seen).toEqual([]);
    await Promise.resolve();
    source.bytes(4);
    expect(seen).toEqual(['bytes 1,2', 'bytes 3', 'skip 1-2', 'bytes 4']);
  });

  it('stops listening to its source on close', async () => {
    const source = manualFeed();
    const held = new HeldFeed(source.feed);
    const seen = record(held);
    await Promise.resolve();
    held.close();
    source.bytes(9);
    expect(seen).toEqual([]);
    expect(source.listeners.bytes.size + source.listeners.skip.size).toBe(0);
  });

  it('passes keyframe requests to its source', () => {
    const source = manualFeed();
    new HeldFeed(source.feed).requestKeyframe();
    expect(source.keyframeRequests()).toBe(1);
  });
});
