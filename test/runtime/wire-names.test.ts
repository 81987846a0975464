// Wire names a spec takes from a documented topology (docs/spec.md: routingKey, queue, groupId):
// the service publishes with the documented routing key, consumes from the documented queue bound
// with it, and joins the documented Kafka consumer group.
import amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import type { ServiceDef } from "../../templates/runtime/core/types.js";
import { hasKafka, hasRabbit, KAFKA_BROKERS, uniqueName } from "../support/brokers.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { order, type Payloads } from "./fixtures.js";
import { kafkaService } from "./kafka-support.js";
import { openAdmin, rabbitService, runRabbit } from "./rabbitmq-support.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";

const eventually = (assertion: () => unknown) => vi.waitFor(assertion, { timeout: 20_000, interval: 50 });

/** A consumer's def with its group (queue or group id) named, and the names derived from it, as the IR derives them. */
function named<T extends ServiceDef>(service: T, consumer: string, group: string): T {
  const def = service.consumers[consumer]!;
  const rename = (name: string) => name.replace(def.group, group);
  const { deadLetterQueue, replayTopic, ...rest } = def;
  const settings = { ...rest, group, retryQueues: rest.retryQueues.map(rename) };
  service.consumers[consumer] =
    deadLetterQueue !== undefined
      ? {
          ...settings,
          deadLetter: true,
          deadLetterQueue: rename(deadLetterQueue),
          ...(replayTopic ? { replayTopic: rename(replayTopic) } : {}),
        }
      : { ...settings, deadLetter: false };
  return service;
}

describe.skipIf(!(await hasRabbit()))("RabbitMQ: a documented routing key and queue", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it("publishes with the routing key, and consumes from the named queue bound with it", async () => {
    const routingKey = `${uniqueName("documented")}.order.created`;
    const queue = uniqueName("billing-orders");
    const service = named(rabbitService({ billing: { on: ["order.created"], idempotency: "none" } }), "billing", queue);
    service.events["order.created"] = { ...service.events["order.created"]!, routingKey };
    service.consumers.billing!.routingKeys = [routingKey];
    const admin = await openAdmin();
    cleanups.push(
      () => admin.close(),
      () => admin.remove(service),
    );

    // Another system's queue, bound as the documentation says: it sees what the service publishes.
    const observer = await admin.model.createChannel();
    await observer.assertExchange(service.rabbitmq.exchange, "topic", {
      durable: true,
      alternateExchange: service.rabbitmq.unrouted,
    });
    const { queue: watching } = await observer.assertQueue("", { exclusive: true });
    await observer.bindQueue(watching, service.rabbitmq.exchange, routingKey);

    const seen: string[] = [];
    const running = await runRabbit(service, { billing: { "order.created": (event) => void seen.push(event.id) } });
    cleanups.push(() => running.close());
    const id = await running.publisher.publish("order.created", order());

    await eventually(() => expect(seen).toEqual([id]));
    const copy = (await eventually(async () => {
      const message = await observer.get(watching, { noAck: true });
      expect(message).not.toBe(false);
      return message;
    })) as amqp.GetMessage;
    expect(copy.fields.routingKey).toBe(routingKey);
    // The consumer's queue is the named one (checkQueue fails for a queue that does not exist).
    await expect(admin.depth(queue)).resolves.toBe(0);
    await expect(admin.depth(`${service.service}.billing`).catch(() => "absent")).resolves.toBe("absent");
    await observer.close();
  }, 60_000);
});

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)(
  "Kafka on $client: a documented group id",
  ({ createKafkaTransport }) => {
    it("consumes in the named group and commits its offsets there", async () => {
      const groupId = uniqueName("billing-workers");
      const service = named(
        kafkaService({ billing: { on: ["order.created"], idempotency: "none" } }),
        "billing",
        groupId,
      );
      const transport = createKafkaTransport({
        service,
        brokers: KAFKA_BROKERS,
        clientId: service.service,
        log: silentLogger,
      });
      const admin = new Kafka({ clientId: "wire-names", brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await transport.connect();
        const consumer = service.consumers.billing!;
        const seen: string[] = [];
        const emitter = createPublisher<Record<string, unknown>>(service, transport);
        await transport.subscribe(
          consumer,
          createPipeline({
            service,
            consumer,
            handlers: { "order.created": (event) => void seen.push(event.id) },
            publisher: emitter,
            log: silentLogger,
          }),
        );
        const id = await createPublisher<Payloads>(service, transport).publish("order.created", order());
        await eventually(() => expect(seen).toEqual([id]));

        const { groups } = await admin.listGroups();
        expect(groups.map((g) => g.groupId)).toContain(groupId);
        expect(groups.map((g) => g.groupId)).not.toContain(`${service.service}.billing`);
        await eventually(async () => {
          const [offsets] = await admin.fetchOffsets({ groupId, topics: [service.events["order.created"]!.topic] });
          expect(offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)).toBe(1);
        });
      } finally {
        await transport.close();
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect();
      }
    }, 90_000);
  },
);
