// The dead-letter queue keeps what it holds however often `dlq list` reads it: reads are
// deliveries, and a quorum queue's delivery limit (RabbitMQ 4: 20 by default) would drop them.
import amqp from "amqplib";
import { afterAll, describe, expect, it } from "vitest";
import { declareConsumerTopology } from "../../templates/runtime/rabbitmq/topology.js";
import { AMQP_URL, hasRabbit, RABBIT_VHOST, uniqueName } from "../support/brokers.js";
import { onRabbitMQ, shopService } from "./fixtures.js";

const service = onRabbitMQ(shopService({ mailer: { on: ["order.created"] } }, uniqueName("topo")));
const consumer = service.consumers.mailer!;

describe.skipIf(!(await hasRabbit()))("RabbitMQ topology", () => {
  const connection = amqp.connect(AMQP_URL);

  afterAll(async () => {
    const conn = await connection;
    const channel = await conn.createChannel();
    for (const queue of [consumer.group, consumer.deadLetterQueue!, ...consumer.retryQueues])
      await channel.deleteQueue(queue);
    await channel.deleteExchange(service.rabbitmq.exchange);
    await conn.close();
  });

  it("keeps a dead letter through more reads than a quorum queue's default delivery limit", async () => {
    const channel = await (await connection).createChannel();
    const exchange = { name: service.rabbitmq.exchange, options: { durable: true } };
    await declareConsumerTopology(
      channel,
      { exchange, queueType: "quorum", vhost: RABBIT_VHOST, waitQueueIdleMs: 60_000 },
      consumer,
    );
    channel.sendToQueue(consumer.deadLetterQueue!, Buffer.from("dead letter"), { persistent: true });
    await expect.poll(async () => (await channel.checkQueue(consumer.deadLetterQueue!)).messageCount).toBe(1);

    for (let read = 1; read <= 25; read++) {
      const message = await channel.get(consumer.deadLetterQueue!);
      expect(message, `read ${read}`).not.toBe(false);
      if (message) channel.nack(message, false, true);
    }
    await expect.poll(async () => (await channel.checkQueue(consumer.deadLetterQueue!)).messageCount).toBe(1);
    await channel.close();

    // RabbitMQ 3 has no default limit, so the reads above pass there either way: the broker's own
    // equivalence check shows the queue carries an explicit limit, which RabbitMQ 4 honours.
    const probe = await (await connection).createChannel();
    probe.on("error", () => undefined);
    await expect(
      probe.assertQueue(consumer.deadLetterQueue, { durable: true, arguments: { "x-queue-type": "quorum" } }),
    ).rejects.toThrow(/inequivalent arg 'x-delivery-limit'.*current is the value '1000000000'/);
  });

  it("declares no dead-letter queue for a consumer without a dead letter, nor dead-letters its queue there", async () => {
    const dropping = shopService(
      { audit: { on: ["notification.sent"], deadLetter: false, retry: { delaysMs: [] } } },
      uniqueName("topo"),
    ).consumers.audit!;
    const channel = await (await connection).createChannel();
    const exchange = { name: service.rabbitmq.exchange, options: { durable: true } };
    await declareConsumerTopology(
      channel,
      { exchange, queueType: "quorum", vhost: RABBIT_VHOST, waitQueueIdleMs: 60_000 },
      dropping,
    );
    await channel.close();
    const probe = await (await connection).createChannel();
    probe.on("error", () => undefined);
    await expect(probe.checkQueue(`${dropping.group}.dlq`)).rejects.toThrow(/NOT_FOUND/);
    const again = await (await connection).createChannel();
    again.on("error", () => undefined);
    // The broker's equivalence check: the queue was declared without dead-letter arguments.
    await expect(
      again.assertQueue(dropping.group, {
        durable: true,
        arguments: { "x-queue-type": "quorum", "x-delivery-limit": 20 },
      }),
    ).resolves.toMatchObject({ queue: dropping.group });
    await again.deleteQueue(dropping.group);
    await again.close();
  });
});
