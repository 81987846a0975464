// Both Kafka clients write the same wire format: a keyed event lands on the same partition
// whichever client published it (murmur2 of the key), with the same CloudEvents headers.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { Transport } from "../../templates/runtime/core/types.js";
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { order, type Payloads } from "./fixtures.js";
import { kafkaService, readTopic } from "./kafka-support.js";

describe.skipIf(!(await hasKafka()))("Kafka clients on the wire", () => {
  const service = kafkaService({ mailer: { on: ["order.created"] } });
  const transports: Transport[] = KAFKA_CLIENTS.map(({ createKafkaTransport }) =>
    createKafkaTransport({ service, brokers: KAFKA_BROKERS, clientId: service.service, log: silentLogger }),
  );
  afterAll(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
  });

  it("puts one key on the same partition, with the same headers, whichever client published it", async () => {
    const keys = Array.from({ length: 24 }, () => randomUUID());
    for (const transport of transports) {
      const publisher = createPublisher<Payloads>(service, transport);
      await publisher.publishBatch(
        keys.map((orderId) => ({ type: "order.created" as const, data: order({ orderId }) })),
      );
    }
    const records = await readTopic(service.events["order.created"]!.topic, keys.length * transports.length);
    const partitionsOf = (key: string) => new Set(records.filter((r) => r.key === key).map((r) => r.partition));
    for (const key of keys) expect(partitionsOf(key).size, key).toBe(1);
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
    const headerNames = new Set(records.map((r) => Object.keys(r.headers).sort().join(",")));
    expect(headerNames.size).toBe(1);
  });
});
