// What the notification service keeps: each user's channel preferences (from preference.updated)
// and the outcome of each notification (sent or skipped). Redis when REDIS_URL is set, shared by
// every instance; in memory otherwise (`npm run dev`, the handler tests).
import { Redis } from "ioredis";
import { createMemoryStore } from "./memory-store.js";
import { createRedisStore } from "./redis-store.js";

export type Channel = "email" | "sms" | "push";
export type Outcome =
  | { status: "sent"; providerId: string }
  | { status: "skipped"; reason: string };

export interface NotificationStore {
  /** Records a preference unless a later one (by `at`) is recorded already. */
  setPreference(
    userId: string,
    channel: Channel,
    enabled: boolean,
    at: string,
  ): Promise<void>;
  /** False only when the user turned the channel off: everyone gets everything by default. */
  wants(userId: string, channel: Channel): Promise<boolean>;
  recordOutcome(notificationId: string, outcome: Outcome): Promise<void>;
  outcome(notificationId: string): Promise<Outcome | undefined>;
  close(): Promise<void>;
}

let shared: NotificationStore | undefined;

export function sharedStore(
  env: NodeJS.ProcessEnv = process.env,
): NotificationStore {
  shared ??= env.REDIS_URL
    ? createRedisStore(
        new Redis(env.REDIS_URL, {
          lazyConnect: true,
          maxRetriesPerRequest: 2,
          commandTimeout: 5000,
        }),
      )
    : createMemoryStore();
  return shared;
}
