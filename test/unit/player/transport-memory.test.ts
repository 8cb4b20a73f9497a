import { describe, expect, it } from 'vitest';
import { MEMORY_TTL_MS, freshTransport, memoryKey } from '../../../src/selection/transport-memory.js';

const NOW = 1_800_000_000_000;

describe('freshTransport', () => {
  it('returns a remembered transport until it expires', () => {
    expect(freshTransport({ transport: 'mse', at: NOW }, NOW)).toBe('mse');
    expect(freshTransport({ transport: 'webrtc', at: NOW - MEMORY_TTL_MS + 1 }, NOW)).toBe('webrtc');
    expect(freshTransport({ transport: 'webrtc', at: NOW - MEMORY_TTL_MS }, NOW)).toBeUndefined();
  });

  it('forgets entries from the future (a clock that was wrong then or is wrong now)', () => {
    expect(freshTransport({ transport: 'mse', at: NOW + 60_000 }, NOW)).toBeUndefined();
  });

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['a string', 'webrtc'],
    ['an unknown transport', { transport: 'carrier-pigeon', at: NOW }],
    ['a missing time', { transport: 'mse' }],
    ['a time that is not a number', { transport: 'mse', at: String(NOW) }],
    ['an infinite time', { transport: 'mse', at: Infinity }],
  ])('ignores %s', (_, entry) => {
    expect(freshTransport(entry, NOW)).toBeUndefined();
  });

  it('honours a custom lifetime', () => {
    expect(freshTransport({ transport: 'mse', at: NOW - 2_000 }, NOW, 1_000)).toBeUndefined();
  });
});

describe('memoryKey', () => {
  it('names the set of sources, whatever their order or repeats', () => {
    expect(memoryKey(['wss://a/ws', 'wss://b/fmp4', 'wss://a/ws'])).toBe(memoryKey(['wss://b/fmp4', 'wss://a/ws']));
    expect(memoryKey(['wss://a/ws'])).not.toBe(memoryKey(['wss://b/ws']));
  });

  it('leaves out queries and fragments: a token in a URL is not stored', () => {
    expect(memoryKey(['wss://a.example:8443/ws?token=secret#x'])).toBe('wss://a.example:8443/ws');
    expect(memoryKey(['https://a.example/whep?key=1', 'wss://a.example/ws'])).not.toContain('key');
  });
});
