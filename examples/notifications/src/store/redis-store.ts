// The store in Redis: `notifications:pref:<userId>` is a hash of channel -> {"enabled","at"}, set
// by a script that keeps the later change (two instances may apply preference events of one user
// out of order); `notifications:outcome:<id>` holds a notification's outcome for 30 days.
import type { Redis } from "ioredis";
import type { NotificationStore, Outcome } from "./store.js";

const PREFIX = "notifications:";
const OUTCOME_TTL_S = 30 * 24 * 3600;

/** KEYS[1] hash, ARGV: channel, JSON value, time in ms. Writes unless the stored one is later. */
const SET_IF_LATER = `
local current = redis.call("HGET", KEYS[1], ARGV[1])
if current and cjson.decode(current).ms > tonumber(ARGV[3]) then return 0 end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
return 1`;

export function createRedisStore(redis: Redis): NotificationStore {
  return {
    async setPreference(userId, channel, enabled, at) {
      const ms = Date.parse(at);
      await redis.eval(
        SET_IF_LATER,
        1,
        `${PREFIX}pref:${userId}`,
        channel,
        JSON.stringify({ enabled, at, ms }),
        String(ms),
      );
    },
    async wants(userId, channel) {
      const stored = await redis.hget(`${PREFIX}pref:${userId}`, channel);
      return stored
        ? (JSON.parse(stored) as { enabled: boolean }).enabled
        : true;
    },
    async recordOutcome(notificationId, outcome) {
      await redis.set(
        `${PREFIX}outcome:${notificationId}`,
        JSON.stringify(outcome),
        "EX",
        OUTCOME_TTL_S,
      );
    },
    async outcome(notificationId) {
      const stored = await redis.get(`${PREFIX}outcome:${notificationId}`);
      return stored ? (JSON.parse(stored) as Outcome) : undefined;
    },
    async close() {
      await redis.quit();
    },
  };
}
