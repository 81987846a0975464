// Topic provisioning at start: every event topic, and each consumer's retry, dead-letter and
// replay topics. Safe to run from many instances at once: existing topics are left alone.
import type { Admin } from "kafkajs";
import { serviceTopics } from "../service-topics.js";
import type { Logger, ServiceDef } from "../../core/types.js";

export { serviceTopics };

export async function ensureTopics(admin: Admin, service: ServiceDef<"kafka">, log: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = serviceTopics(service).filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  const { partitions, replicationFactor } = service.kafka;
  // Another instance creating the same topics at the same moment makes this return false, not fail.
  // kafkajs's own wait for leaders (its default) fails on a broker that is slow to answer for them.
  await admin.createTopics({
    waitForLeaders: false,
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
  });
  await waitForLeaders(admin, missing);
  log.info({ topics: missing }, "created Kafka topics");
}

const LEADER_WAIT_MS = 30_000;
// What a broker answers about a topic it created but has not fully taken in yet.
const NOT_YET = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE"]);

/**
 * Under KRaft a consumer cannot subscribe to a topic without leaders, and a busy broker (one just
 * started with many partitions to load) answers for a new topic only a moment after creating it:
 * waits until every partition has a leader.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (error) {
      if (!NOT_YET.has((error as { type?: string }).type ?? "")) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka topics still have no leader after ${LEADER_WAIT_MS / 1000} s: ${topics.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
