// Topic provisioning at start: every event topic, and each consumer's retry, dead-letter and
// replay topics. Safe to run from many instances at once: existing topics are left alone.
import type { Admin } from "kafkajs";
import type { Logger, ServiceDef } from "./types.js";

export function serviceTopics(service: ServiceDef): string[] {
  const topics = new Set(Object.values(service.events).map((event) => event.topic));
  for (const consumer of Object.values(service.consumers)) {
    for (const topic of consumer.retryQueues) topics.add(topic);
    topics.add(consumer.deadLetterQueue);
    if (consumer.replayTopic) topics.add(consumer.replayTopic);
  }
  return [...topics].sort();
}

export async function ensureTopics(admin: Admin, service: ServiceDef, log: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = serviceTopics(service).filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  const { partitions, replicationFactor } = service.kafka;
  // Under KRaft a consumer cannot subscribe to a topic without a leader yet: wait for them.
  // Another instance creating the same topics at the same moment makes this return false, not fail.
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
  });
  log.info({ topics: missing }, "created Kafka topics");
}
