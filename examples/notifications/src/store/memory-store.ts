// The store in one process's memory.
import type { NotificationStore, Outcome } from "./store.js";

export function createMemoryStore(): NotificationStore {
  const preferences = new Map<string, { enabled: boolean; at: string }>();
  const outcomes = new Map<string, Outcome>();
  return {
    async setPreference(userId, channel, enabled, at) {
      const key = `${userId}\u0000${channel}`;
      const known = preferences.get(key);
      if (!known || Date.parse(known.at) <= Date.parse(at))
        preferences.set(key, { enabled, at });
    },
    async wants(userId, channel) {
      return preferences.get(`${userId}\u0000${channel}`)?.enabled ?? true;
    },
    async recordOutcome(notificationId, outcome) {
      outcomes.set(notificationId, outcome);
    },
    async outcome(notificationId) {
      return outcomes.get(notificationId);
    },
    async close() {},
  };
}
