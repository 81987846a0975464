// Where the summaries are kept for the dashboards: Redis when REDIS_URL is set (a hash per kind,
// field <key>@<windowStart>), memory otherwise (`npm run dev`, the tests).
import { Redis } from "ioredis";

export type Kind = "user-minute" | "page-hour";

export interface SummaryStore {
  put(
    kind: Kind,
    key: string,
    windowStart: string,
    summary: object,
  ): Promise<void>;
  all(kind: Kind): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export function createMemorySummaryStore(): SummaryStore {
  const kept = new Map<Kind, Map<string, unknown>>();
  return {
    async put(kind, key, windowStart, summary) {
      if (!kept.has(kind)) kept.set(kind, new Map());
      kept.get(kind)!.set(`${key}@${windowStart}`, summary);
    },
    async all(kind) {
      return Object.fromEntries(kept.get(kind) ?? []);
    },
    async close() {},
  };
}

export function createRedisSummaryStore(
  redis: Redis,
  prefix = "user-analytics:",
): SummaryStore {
  return {
    async put(kind, key, windowStart, summary) {
      await redis.hset(
        `${prefix}${kind}`,
        `${key}@${windowStart}`,
        JSON.stringify(summary),
      );
    },
    async all(kind) {
      const fields = await redis.hgetall(`${prefix}${kind}`);
      return Object.fromEntries(
        Object.entries(fields).map(([field, json]) => [
          field,
          JSON.parse(json),
        ]),
      );
    },
    async close() {
      await redis.quit();
    },
  };
}

let shared: SummaryStore | undefined;

export function sharedSummaryStore(
  env: NodeJS.ProcessEnv = process.env,
): SummaryStore {
  shared ??= env.REDIS_URL
    ? createRedisSummaryStore(
        new Redis(env.REDIS_URL, {
          lazyConnect: true,
          maxRetriesPerRequest: 2,
          commandTimeout: 5000,
        }),
      )
    : createMemorySummaryStore();
  return shared;
}
