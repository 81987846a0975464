// Remembers which events a consumer handled successfully, so a redelivered event (same source and
// id) is acknowledged as a duplicate instead of being handled again.

/** One handled event, as seen by one consumer. */
export interface ProcessedRef {
  /** The consumer group, `<service>.<consumer>`: unique across services sharing a store. */
  consumer: string;
  source: string;
  id: string;
  /** How long it is remembered once marked: the consumer's `idempotency.ttl`. */
  ttlMs: number;
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
  now?: () => number;
}

function refKey(ref: ProcessedRef): string {
  return JSON.stringify([ref.consumer, ref.source, ref.id]);
}

/**
 * In-process store: entries expire after their ttl; beyond `maxEntries` the least recently marked
 * are forgotten first. Lost on restart.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): IdempotencyStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, so its first key is always the oldest mark.
  const expiresAt = new Map<string, number>();

  return {
    async seen(ref) {
      const key = refKey(ref);
      const at = expiresAt.get(key);
      if (at === undefined) return false;
      if (now() < at) return true;
      expiresAt.delete(key);
      return false;
    },
    async mark(ref) {
      const key = refKey(ref);
      expiresAt.delete(key);
      expiresAt.set(key, now() + ref.ttlMs);
      while (expiresAt.size > maxEntries) {
        const oldest = expiresAt.keys().next().value;
        if (oldest === undefined) break;
        expiresAt.delete(oldest);
      }
    },
    async close() {
      expiresAt.clear();
    },
  };
}
