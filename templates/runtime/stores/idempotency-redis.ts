// Idempotency in Redis: one key per handled event, set with NX and the consumer's ttl (PX), so the
// store forgets on its own and several replicas of a consumer share what they handled.
import { Redis } from "ioredis";
import type { IdempotencyStore, ProcessedRef } from "../core/idempotency.js";
import type { Logger } from "../core/types.js";

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default "evgen:processed"); the consumer group adds service and consumer. */
  prefix?: string;
  log?: Logger;
  /** A command (or connecting) that takes longer fails (default 5 s): a server that accepts and never answers. */
  timeoutMs?: number;
}

export function createRedisStore(options: RedisStoreOptions): IdempotencyStore {
  const prefix = options.prefix ?? "evgen:processed";
  const timeoutMs = options.timeoutMs ?? 5000;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  // ioredis reconnects by itself; report the loss instead of printing an unhandled error event.
  redis.on("error", (error: Error) => options.log?.warn({ err: error.message }, "Redis connection error"));
  const keyOf = (ref: ProcessedRef) => `${prefix}:${ref.consumer}:${ref.source}:${ref.id}`;

  return {
    async seen(ref) {
      return (await redis.exists(keyOf(ref))) === 1;
    },
    async mark(ref) {
      await redis.set(keyOf(ref), new Date().toISOString(), "PX", ref.ttlMs, "NX");
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      // QUIT waits for an answer, bounded by commandTimeout; then the socket is closed regardless.
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
