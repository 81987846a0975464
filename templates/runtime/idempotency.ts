// Remembers which events a consumer handled successfully, so a redelivered event (same source and
// id) is acknowledged as a duplicate instead of being handled again.

/** One handled event, as seen by one consumer. */
export interface ProcessedRef {
  /** The consumer group, `<service>.<consumer>`: unique across services sharing a store. */
  consumer: string;
  source: string;
  id: string;
}

export interface IdempotencyStore {
  seen(ref: ProcessedRef): Promise<boolean>;
  /** Called after the handler succeeded, never before. */
  mark(ref: ProcessedRef): Promise<void>;
  /** Resolves when the store answers (readiness); stores inside the process have none. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryStoreOptions {
  /** Oldest entries are forgotten beyond this many (default 100,000). */
  maxEntries?: number;
  /** Entries older than this are forgotten (default 24 h). */
  ttlMs?: number;
  now?: () => number;
}

function refKey(ref: ProcessedRef): string {
  return JSON.stringify([ref.consumer, ref.source, ref.id]);
}

/** In-process store: bounded, least recently marked forgotten first. Lost on restart. */
export function createMemoryStore(options: MemoryStoreOptions = {}): IdempotencyStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, so its first key is always the oldest mark.
  const markedAt = new Map<string, number>();

  return {
    async seen(ref) {
      const key = refKey(ref);
      const at = markedAt.get(key);
      if (at === undefined) return false;
      if (now() - at < ttlMs) return true;
      markedAt.delete(key);
      return false;
    },
    async mark(ref) {
      const key = refKey(ref);
      markedAt.delete(key);
      markedAt.set(key, now());
      while (markedAt.size > maxEntries) {
        const oldest = markedAt.keys().next().value;
        if (oldest === undefined) break;
        markedAt.delete(oldest);
      }
    },
    async close() {
      markedAt.clear();
    },
  };
}
