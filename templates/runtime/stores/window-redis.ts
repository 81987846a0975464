// Window state in Redis (docs/spec.md, windowed aggregation). Per window: a hash (state, version,
// event count, closing flag), a set of the events added, a lease key while an instance closes it,
// and a short-lived "closed" marker after; per consumer, a sorted set of open windows by closing
// time. An add reads the state, folds the event in, then writes with a script that checks the
// version read, the event's absence and the window still open: the write and the mark are atomic,
// and an add that lost a race to another instance is read and folded again.
import { Redis } from "ioredis";
import type { Logger } from "../core/types.js";
import type { WindowState } from "../core/window.js";
import {
  ADD_ATTEMPTS,
  CLOSED_WINDOW_TTL_MS,
  type ClaimedWindow,
  type WindowRef,
  type WindowStore,
} from "../core/window-store.js";

export interface RedisWindowStoreOptions {
  url: string;
  /** Key prefix (default "evgen:window"); the consumer group follows it. */
  prefix?: string;
  log?: Logger;
  /** A command (or connecting) that takes longer fails (default 5 s). */
  timeoutMs?: number;
}

// KEYS: hash, seen, closed, due. ARGV: version read ("" for none), event, state, closesAt, member, end.
const ADD = `
if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('HGET', KEYS[1], 'closing') then return 'closed' end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 'duplicate' end
local version = redis.call('HGET', KEYS[1], 'v') or ''
if version ~= ARGV[1] then return 'conflict' end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'v', tostring((tonumber(version) or 0) + 1), 'end', ARGV[6], 'at', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[4], 'NX', ARGV[4], ARGV[5])
return 'added'`;

// KEYS: hash, lease, due. ARGV: owner, lease ms, member. A due entry without a hash is stale.
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[3]) return false end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
redis.call('HSET', KEYS[1], 'closing', '1')
return redis.call('HMGET', KEYS[1], 'state', 'n', 'end', 'at')`;

// KEYS: hash, seen, lease, closed, due. ARGV: member, closed ttl ms.
const FINISH = `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
return 1`;

interface WindowKeys {
  hash: string;
  seen: string;
  lease: string;
  closed: string;
  due: string;
  /** The window's member in `due`. */
  member: string;
}

export function createRedisWindowStore(options: RedisWindowStoreOptions): WindowStore {
  const prefix = options.prefix ?? "evgen:window";
  const timeoutMs = options.timeoutMs ?? 5000;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  redis.on("error", (error: Error) => options.log?.warn({ err: error.message }, "Redis connection error"));
  const dueKey = (consumer: string) => `${prefix}:${consumer}:due`;
  const keysOf = (ref: Pick<WindowRef, "consumer" | "key" | "start">): WindowKeys => {
    // The key is the spec's field value: encoded, so that no value reaches into another's keys.
    const base = `${prefix}:${ref.consumer}:w:${encodeURIComponent(ref.key)}:${ref.start}`;
    return {
      hash: base,
      seen: `${base}:seen`,
      lease: `${base}:lease`,
      closed: `${base}:closed`,
      due: dueKey(ref.consumer),
      member: JSON.stringify([ref.key, ref.start]),
    };
  };

  return {
    async add(ref, event, fold) {
      const keys = keysOf(ref);
      const eventId = JSON.stringify([event.source, event.id]);
      for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
        const [stored, version] = await redis.hmget(keys.hash, "state", "v");
        const state = JSON.stringify(fold(stored == null ? undefined : (JSON.parse(stored) as WindowState)));
        const outcome = (await redis.eval(
          ADD,
          4,
          keys.hash,
          keys.seen,
          keys.closed,
          keys.due,
          version ?? "",
          eventId,
          state,
          ref.closesAt,
          keys.member,
          ref.end,
        )) as string;
        if (outcome !== "conflict") return outcome as "added" | "duplicate" | "closed";
      }
      throw new Error(`window ${ref.key}@${ref.start}: ${ADD_ATTEMPTS} adds in a row lost a race to other instances`);
    },
    async claimDue(consumer, now, owner, leaseMs, limit) {
      const members = await redis.zrangebyscore(dueKey(consumer), "-inf", now, "LIMIT", 0, limit);
      const claimed: ClaimedWindow[] = [];
      for (const member of members) {
        const [key, start] = JSON.parse(member) as [string, number];
        const keys = keysOf({ consumer, key, start });
        const found = (await redis.eval(CLAIM, 3, keys.hash, keys.lease, keys.due, owner, leaseMs, member)) as
          [string | null, string | null, string | null, string | null] | null;
        if (!found) continue;
        const [state, events, end, closesAt] = found;
        claimed.push({
          consumer,
          key,
          start,
          end: Number(end),
          closesAt: Number(closesAt),
          state: JSON.parse(state ?? "null") as WindowState,
          events: Number(events ?? 0),
        });
      }
      return claimed;
    },
    async finish(window) {
      const keys = keysOf(window);
      await redis.eval(
        FINISH,
        5,
        keys.hash,
        keys.seen,
        keys.lease,
        keys.closed,
        keys.due,
        keys.member,
        CLOSED_WINDOW_TTL_MS,
      );
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
