// Topic provisioning against a broker that is slow to take in new topics (one just started with
// many partitions to load): "unknown topic" and "no leader" mean "not yet", anything else fails.
import { ProtocolError, UserError, type Admin as PlatformaticAdmin } from "@platformatic/kafka";
import type { Admin } from "kafkajs";
import { describe, expect, it } from "vitest";
import { ensureTopics as ensurePlatformaticTopics } from "../../templates/runtime/kafka/platformatic/topics.js";
import { ensureTopics, serviceTopics } from "../../templates/runtime/kafka/kafkajs/topics.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { shopService } from "./fixtures.js";

const service = shopService({ mailer: { on: ["order.created"] } });

/** An admin whose metadata answers come from `answers`, one per call, the last one repeated. */
function slowAdmin(answers: Array<Error | number>) {
  const calls = { created: [] as string[], metadata: 0 };
  const admin = {
    listTopics: async () => [],
    createTopics: async ({ topics }: { topics: Array<{ topic: string }> }) => {
      calls.created.push(...topics.map((t) => t.topic));
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(calls.metadata++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: answer }] })) };
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

const protocolError = (type: string) => Object.assign(new Error(type), { type });

describe("Kafka topic provisioning", () => {
  it("provisions no dead-letter or replay topic for a consumer without a dead letter", () => {
    const shop = shopService({
      mailer: { on: ["order.created"], retry: { delaysMs: [10] } },
      audit: { on: ["notification.sent"], deadLetter: false, retry: { delaysMs: [] } },
    });
    expect(serviceTopics(shop)).toEqual(["notification.sent", "orders", "shop.mailer.dlq", "shop.mailer.retry-1"]);
  });

  it("waits while the broker does not know the new topics yet or they have no leader", async () => {
    const { admin, calls } = slowAdmin([
      protocolError("UNKNOWN_TOPIC_OR_PARTITION"),
      protocolError("LEADER_NOT_AVAILABLE"),
      -1,
      0,
    ]);
    await ensureTopics(admin, service, silentLogger);
    expect(calls.created).toEqual(serviceTopics(service));
    expect(calls.metadata).toBe(4);
  });

  it("fails at once on any other error", async () => {
    const { admin, calls } = slowAdmin([protocolError("TOPIC_AUTHORIZATION_FAILED")]);
    await expect(ensureTopics(admin, service, silentLogger)).rejects.toThrow("TOPIC_AUTHORIZATION_FAILED");
    expect(calls.metadata).toBe(1);
  });
});

/** The same slow broker as @platformatic/kafka's Admin reports it. */
function slowPlatformaticAdmin(answers: Array<Error | number>) {
  const calls = { created: [] as string[], metadata: 0 };
  const admin = {
    listTopics: async () => [],
    createTopics: async ({ topics }: { topics: string[] }) => void calls.created.push(...topics),
    metadata: async ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(calls.metadata++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return { topics: new Map(topics.map((name) => [name, { partitions: [{ leader: answer }] }])) };
    },
  };
  return { admin: admin as unknown as PlatformaticAdmin, calls };
}

describe("Kafka topic provisioning on @platformatic/kafka", () => {
  it("waits while the broker does not know the new topics yet or they have no leader", async () => {
    const { admin, calls } = slowPlatformaticAdmin([
      new UserError("Unknown topic shop.orders."),
      new ProtocolError("LEADER_NOT_AVAILABLE"),
      -1,
      0,
    ]);
    await ensurePlatformaticTopics(admin, service, silentLogger);
    expect(calls.created).toEqual(serviceTopics(service));
    expect(calls.metadata).toBe(4);
  });

  it("fails at once on any other error", async () => {
    const { admin, calls } = slowPlatformaticAdmin([new ProtocolError("TOPIC_AUTHORIZATION_FAILED")]);
    await expect(ensurePlatformaticTopics(admin, service, silentLogger)).rejects.toThrow();
    expect(calls.metadata).toBe(1);
  });
});
