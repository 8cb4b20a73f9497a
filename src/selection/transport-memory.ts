/**
 * Which media path won last time, per server: kept in IndexedDB (idb-keyval) so that the next visit
 * starts on it at once. Entries expire; storage that is missing, slow or full only costs the memory.
 */

import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { TransportKind } from '../protocol.js';
import { withTimeout } from '../with-timeout.js';

export interface TransportMemory {
  /** The path that won for `key`, if remembered and not expired. Never rejects. */
  recall(key: string): Promise<TransportKind | undefined>;
  /** Remembers `transport` as the winner for `key`, from now on. Never rejects. */
  remember(key: string, transport: TransportKind): Promise<void>;
}

export interface RememberedPath {
  transport: TransportKind;
  /** When it won, in ms since the Unix epoch. */
  at: number;
}

/** Networks change (a laptop moves between office and home): a week-old winner is a guess no better than none. */
export const MEMORY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Starting without the memory beats waiting for a slow IndexedDB. */
const RECALL_TIMEOUT_MS = 150;

const KNOWN: readonly TransportKind[] = ['webrtc', 'mse'];

/** The transport of a stored entry that is well-formed and fresh at `now`; storage is outside input too. */
export function freshTransport(entry: unknown, now: number, ttlMs = MEMORY_TTL_MS): TransportKind | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { transport, at } = entry as Partial<Record<keyof RememberedPath, unknown>>;
  if (!KNOWN.includes(transport as TransportKind) || typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  const age = now - at;
  return age >= 0 && age < ttlMs ? (transport as TransportKind) : undefined;
}

/**
 * One key per set of sources: the same server reached through other URLs is another network path.
 * Only origin and path: a query may carry a token, which has no place in storage.
 */
export function memoryKey(urls: readonly string[]): string {
  return [...new Set(urls.map(withoutQuery))].sort().join(' ');
}

function withoutQuery(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname}`;
  } catch {
    return url.split(/[?#]/)[0]!;
  }
}

/** The IndexedDB database and object store of the memory. */
export const MEMORY_STORE = { database: 'avatar-player', store: 'transport-memory' } as const;

export function idbTransportMemory(store: UseStore = createStore(MEMORY_STORE.database, MEMORY_STORE.store)): TransportMemory {
  return {
    async recall(key) {
      try {
        const entry = await withTimeout(get<unknown>(key, store), RECALL_TIMEOUT_MS);
        const transport = freshTransport(entry, Date.now());
        if (entry !== undefined && transport === undefined) void del(key, store).catch(() => undefined);
        return transport;
      } catch {
        return undefined;
      }
    },
    async remember(key, transport) {
      try {
        await set(key, { transport, at: Date.now() } satisfies RememberedPath, store);
      } catch {
        // private browsing or a full disk: the next visit races again
      }
    },
  };
}
