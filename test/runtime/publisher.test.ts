// Publishing: validation against the latest version, CloudEvents attributes, keys, batches, lazy
// connection and confirmation, on the memory transport.
import { describe, expect, it } from "vitest";
import { InvalidPayloadError, UnknownEventTypeError } from "../../templates/runtime/core/errors.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { createMetrics } from "../../templates/runtime/core/metrics.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { OutgoingMessage, Transport } from "../../templates/runtime/core/types.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { rabbitmqConfig } from "../../templates/runtime/rabbitmq/config.js";
import { ORDER_ID, onRabbitMQ, order, shopService, type Payloads } from "./fixtures.js";

const service = shopService();

/** The memory transport, counting connects and holding each publish until `confirm()`. */
function heldTransport() {
  const memory = createMemoryTransport({ service, log: silentLogger });
  const held: Array<() => void> = [];
  let connects = 0;
  let batches = 0;
  const transport: Transport = {
    ...memory,
    async connect() {
      connects++;
      await memory.connect();
    },
    async publish(messages: OutgoingMessage[]) {
      batches++;
      await new Promise<void>((resolve) => held.push(resolve));
      await memory.publish(messages);
    },
  };
  return {
    transport,
    memory,
    confirm: () => held.splice(0).forEach((resolve) => resolve()),
    counts: () => ({ connects, batches }),
  };
}

function decoded(message: OutgoingMessage | undefined) {
  return { ...message, body: JSON.parse(message!.body.toString()) };
}

describe("publisher", () => {
  it("builds the CloudEvents attributes, the key and the topic, and applies schema defaults", async () => {
    const memory = createMemoryTransport({ service, log: silentLogger });
    const publisher = createPublisher<Payloads>(service, memory);
    const id = await publisher.publish("order.created", order());

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const message = decoded(memory.published()[0]);
    expect(message).toEqual({
      attributes: {
        id,
        type: "order.created",
        source: "/shop",
        specversion: "1.0",
        time: expect.any(String),
        dataversion: "1",
        dataschema: "urn:evgen:order.created:v1",
        datacontenttype: "application/json",
      },
      topic: "orders",
      key: ORDER_ID,
      body: { ...order(), currency: "EUR" },
    });
    expect(Math.abs(Date.parse(message.attributes!.time) - Date.now())).toBeLessThan(5000);
  });

  it("publishes the latest version and honours the given id, key and trace context", async () => {
    const memory = createMemoryTransport({ service, log: silentLogger });
    const publisher = createPublisher<Payloads>(service, memory);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await publisher.publish(
      "order.shipped",
      { orderId: ORDER_ID, carrier: "dhl" },
      { id: "my-id", key: "k", traceparent },
    );
    await publisher.publish("notification.sent", { orderId: ORDER_ID, channel: "sms" }, { traceparent: "garbage" });

    const [shipped, sent] = memory.published();
    expect(shipped).toMatchObject({
      attributes: { id: "my-id", dataversion: "2", traceparent },
      key: "k",
      topic: "orders",
    });
    expect(sent!.attributes).not.toHaveProperty("traceparent");
    expect(sent).not.toHaveProperty("key");
  });

  it("rejects an invalid payload with every issue and publishes nothing", async () => {
    const memory = createMemoryTransport({ service, log: silentLogger });
    const publisher = createPublisher<Payloads>(service, memory);
    const error = await publisher
      .publish("order.created", {
        orderId: "x",
        userId: "u",
        total: -1,
      } as Payloads["order.created"])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as InvalidPayloadError).issues.map((i) => i.path)).toEqual(["orderId", "total"]);
    await expect(publisher.publish("order.lost" as "order.created", order())).rejects.toBeInstanceOf(
      UnknownEventTypeError,
    );
    expect(memory.published()).toEqual([]);
  });

  it("connects once, lazily, and resolves only once the transport confirmed", async () => {
    const { transport, confirm, counts, memory } = heldTransport();
    const publisher = createPublisher<Payloads>(service, transport);
    expect(counts().connects).toBe(0);

    let resolved = false;
    const first = publisher.publish("order.created", order()).then(() => (resolved = true));
    const second = publisher.publish("order.created", order());
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    confirm();
    await Promise.all([first, second]);
    expect(counts()).toEqual({ connects: 1, batches: 2 });
    expect(memory.published()).toHaveLength(2);
  });

  it("publishes a batch in one transport call, or nothing when one item is invalid", async () => {
    const { transport, confirm, counts, memory } = heldTransport();
    const publisher = createPublisher<Payloads>(service, transport);
    await expect(
      publisher.publishBatch([
        { type: "order.created", data: order() },
        { type: "notification.sent", data: { orderId: "bad", channel: "sms" } },
      ]),
    ).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(counts().batches).toBe(0);

    const batch = publisher.publishBatch([
      { type: "order.created", data: order(), id: "a" },
      { type: "notification.sent", data: { orderId: ORDER_ID, channel: "sms" }, id: "b" },
    ]);
    await new Promise((r) => setTimeout(r, 5));
    confirm();
    expect(await batch).toEqual(["a", "b"]);
    expect(counts().batches).toBe(1);
    expect(memory.published().map((m) => m.attributes.type)).toEqual(["order.created", "notification.sent"]);
  });

  it.each([
    ["rabbitmq", 1],
    ["kafka", 0],
  ] as const)("on %s counts as unrouted what no consumer of the service handles", async (broker, expected) => {
    const kafkaShop = shopService({ mailer: { on: ["order.created"] } });
    const shop = broker === "kafka" ? kafkaShop : onRabbitMQ(kafkaShop);
    const { keepsUnrouted } = broker === "kafka" ? kafkaConfig : rabbitmqConfig;
    const metrics = createMetrics({ defaultMetrics: false });
    const publisher = createPublisher<Payloads>(shop, createMemoryTransport({ service: shop, log: silentLogger }), {
      metrics,
      countUnrouted: keepsUnrouted,
    });
    await publisher.publish("order.created", order());
    await publisher.publish("order.shipped", { orderId: ORDER_ID, carrier: "dhl" });

    const text = await metrics.registry.metrics();
    const unrouted = (type: string) =>
      Number(new RegExp(`evgen_events_unrouted_total\\{type="${type}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect([unrouted("order.shipped"), unrouted("order.created")]).toEqual([expected, 0]);
    expect(text).toContain('evgen_events_published_total{type="order.shipped"} 1');
  });

  it("rejects when the transport does not confirm", async () => {
    const memory = createMemoryTransport({ service, log: silentLogger });
    const transport: Transport = {
      ...memory,
      publish: async () => {
        throw new Error("broker said no");
      },
    };
    await expect(createPublisher<Payloads>(service, transport).publish("order.created", order())).rejects.toThrow(
      "broker said no",
    );
  });

  it("waits for publishes in flight on close, and closes only a transport it owns", async () => {
    const { transport, confirm, memory } = heldTransport();
    const publisher = createPublisher<Payloads>(service, transport, { ownsTransport: true });
    const pending = publisher.publish("order.created", order());
    await new Promise((r) => setTimeout(r, 5));
    let closed = false;
    const closing = publisher.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    confirm();
    await Promise.all([pending, closing]);
    expect(memory.isReady()).toBe(false);
    await expect(publisher.publish("order.created", order())).rejects.toThrow("publisher is closed");

    const shared = createMemoryTransport({ service, log: silentLogger });
    const borrower = createPublisher<Payloads>(service, shared);
    await borrower.publish("order.created", order());
    await borrower.close();
    expect(shared.isReady()).toBe(true);
  });
});
