// The confirm publisher against the real broker, on its own: what it does with a message amqplib
// refuses to encode while other messages are in flight on the same channel.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { RabbitConnection } from "../../templates/runtime/rabbitmq/connection.js";
import { ConfirmPublisher } from "../../templates/runtime/rabbitmq/publisher.js";
import { AMQP_URL, hasRabbit, uniqueName } from "../support/brokers.js";
import { recordingLogger } from "./fixtures.js";
import { openAdmin } from "./rabbitmq-support.js";

describe.skipIf(!(await hasRabbit()))("RabbitMQ confirm publisher", () => {
  it("rejects a message whose headers exceed amqplib's 64 KiB table, and keeps its channel and the messages around it", async () => {
    const queue = uniqueName("pub-headers");
    const { log, lines } = recordingLogger();
    const connection = new RabbitConnection({ url: AMQP_URL, name: "publisher test", log });
    await connection.open();
    const publisher = new ConfirmPublisher(connection, {
      window: 64,
      timeoutMs: 10_000,
      log,
      setup: async (channel) => void (await channel.assertQueue(queue, { durable: false })),
    });
    const admin = await openAdmin();
    try {
      await publisher.open();
      const send = (headers: Record<string, string> = {}) =>
        publisher.send({ exchange: "", routingKey: queue, content: Buffer.from("{}"), options: { headers } });
      const before = Array.from({ length: 100 }, () => send());
      const oversized = send({ big: "x".repeat(70 * 1024) });
      const after = Array.from({ length: 100 }, () => send());

      await expect(oversized).rejects.toThrow(RangeError);
      const results = await Promise.allSettled([...before, ...after]);
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      await sleep(500); // a replaced channel would have reopened by now
      expect(lines.filter((line) => /channel/i.test(line.msg ?? "")).map((line) => line.msg)).toEqual([]);
      // Nothing was sent twice: amqplib 2.3 refuses the message before counting it as unconfirmed.
      expect(await admin.depth(queue)).toBe(200);
    } finally {
      await publisher.close();
      await connection.close();
      await admin.model.createChannel().then(async (ch) => {
        await ch.deleteQueue(queue);
        await ch.close();
      });
      await admin.close();
    }
  });
});
