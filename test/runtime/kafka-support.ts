// Helpers for the Kafka transport tests: a service whose topics no other test uses, a raw reader
// to see exactly what landed on a topic, and polling.
import { Kafka, logLevel, type IHeaders } from "kafkajs";
import { KAFKA_BROKERS, uniqueName } from "../support/brokers.js";
import { sleep, waitFor as pollUntil } from "../support/wait.js";
import type { ServiceDef } from "../../templates/runtime/core/types.js";
import { shopService, type ConsumerSpec } from "./fixtures.js";

/** The shop service with every topic prefixed by its (unique) name. */
export function kafkaService(consumers: Record<string, ConsumerSpec>, service = uniqueName("kt")): ServiceDef<"kafka"> {
  const base = shopService(consumers, service);
  const own = (topic: string) => `${service}.${topic}`;
  return {
    ...base,
    kafka: { ...base.kafka, brokers: KAFKA_BROKERS },
    events: Object.fromEntries(Object.entries(base.events).map(([type, e]) => [type, { ...e, topic: own(e.topic) }])),
    consumers: Object.fromEntries(
      Object.entries(base.consumers).map(([name, c]) => [
        name,
        c.deadLetter
          ? { ...c, topics: c.topics.map(own), replayTopic: `${c.group}.replay` }
          : { ...c, topics: c.topics.map(own) },
      ]),
    ),
  };
}

export interface RawRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

/**
 * Reads a topic from the beginning until `until` holds (a record count, or a test of the records
 * so far), then `settleMs` more to catch extras.
 */
export async function readTopic(
  topic: string,
  until: number | ((records: RawRecord[]) => boolean),
  settleMs = 0,
  timeoutMs = 30_000,
): Promise<RawRecord[]> {
  const done = typeof until === "number" ? (records: RawRecord[]) => records.length >= until : until;
  const kafka = new Kafka({ clientId: "test-reader", brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), maxWaitTimeInMs: 200 });
  const records: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString(),
          value: message.value?.toString() ?? "",
          headers: stringHeaders(message.headers),
        });
      },
    });
    await waitFor(
      () => done(records),
      timeoutMs,
      () => `records on ${topic} (got ${records.length})`,
    );
    await sleep(settleMs);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

// kafka-broker-restart.disruptive.test.ts takes sleep from here.
export { sleep } from "../support/wait.js";

/** `waitFor` of test/support/wait.ts, polling every 50 ms. */
export const waitFor = (condition: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> =>
  pollUntil(condition, timeoutMs, what, 50);

/** Writes records to a topic as a foreign producer would: any headers, any bytes. */
export async function produceRaw(
  topic: string,
  records: Array<{ key?: string; value: string; headers: Record<string, string> }>,
): Promise<void> {
  const kafka = new Kafka({ clientId: "test-producer", brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: records.map((r) => ({ key: r.key ?? null, value: r.value, headers: r.headers })),
    });
  } finally {
    await producer.disconnect();
  }
}
