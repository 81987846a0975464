// examples/user-analytics: its scenario on Kafka and Redis, with a SIGKILL halfway: the per-user
// per-minute summaries add up to exactly what was posted (see example.ts for what every example gets).
import { expect } from "vitest";
import { hasKafka, hasRedis, KAFKA_BROKERS, REDIS_URL } from "../support/brokers.js";
import { describeExample } from "./example.js";

describeExample({
  name: "user-analytics",
  available: (await hasKafka()) && (await hasRedis()),
  env: { KAFKA_BROKERS: KAFKA_BROKERS.join(","), REDIS_URL, E2E_ACTIVITIES: "400" },
  expectFigures(figures) {
    // 400 activities of 20 users, 4 of them on ftp: URLs (dead letters): 396 in summaries.
    expect(figures).toMatchObject({ activitiesPosted: 400, summarized: 396, deadLettered: 4, sigkills: 1 });
    expect(figures.userMinuteSummaries).toBeGreaterThanOrEqual(20);
  },
});
