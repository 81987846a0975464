// Topic provisioning at start with @platformatic/kafka: the service's topics that do not exist
// yet are created, then waited for until each partition has a leader. Safe to run from many
// instances at once: a topic another instance just created is left alone.
import { findErrorBy, type Admin } from "@platformatic/kafka";
import { serviceTopics } from "../service-topics.js";
import type { Logger, ServiceDef } from "../../core/types.js";

const LEADER_WAIT_MS = 30_000;
// What a broker answers about a topic it created but has not fully taken in yet.
const NOT_YET = ["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE"];

const isProtocolError = (error: unknown, ids: string[]) =>
  error instanceof Error && ids.some((id) => findErrorBy(error, "apiId", id) !== null);

// The client reports a topic the broker does not know (yet) as a UserError of its own.
const isUnknownTopic = (error: unknown) => error instanceof Error && error.message.startsWith("Unknown topic ");

export async function ensureTopics(admin: Admin, service: ServiceDef<"kafka">, log: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = serviceTopics(service).filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  await createTopics(admin, service, missing);
  await waitForLeaders(admin, missing);
  log.info({ topics: missing }, "created Kafka topics");
}

async function createTopics(admin: Admin, service: ServiceDef<"kafka">, topics: string[]): Promise<void> {
  const { partitions, replicationFactor } = service.kafka;
  try {
    await admin.createTopics({ topics, partitions, replicas: replicationFactor });
  } catch (error) {
    // Another instance creating the same topics at the same moment.
    if (!isProtocolError(error, ["TOPIC_ALREADY_EXISTS"])) throw error;
  }
}

/** Under KRaft a consumer cannot subscribe to a topic before every partition has a leader. */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    if (await haveLeaders(admin, topics)) return;
    if (Date.now() > deadline) {
      throw new Error(`Kafka topics still have no leader after ${LEADER_WAIT_MS / 1000} s: ${topics.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function haveLeaders(admin: Admin, topics: string[]): Promise<boolean> {
  try {
    const metadata = await admin.metadata({ topics, forceUpdate: true, retries: 0 });
    return topics.every((name) => {
      const partitions = metadata.topics.get(name)?.partitions ?? [];
      return partitions.length > 0 && partitions.every((p) => p !== undefined && p.leader >= 0);
    });
  } catch (error) {
    if (isUnknownTopic(error) || isProtocolError(error, NOT_YET)) return false;
    throw error;
  }
}
