// The Kafka transport against the real broker: wire format, retries through retry topics no
// earlier than due, dead letters with every failure header, invalid input, blocking mode order
// and partitions in parallel. Driven by DeliveryHandlers written here and by the real pipeline.
import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../templates/runtime/core/errors.js";
import type { ConsumerHandlers, EvgenEvent } from "../../templates/runtime/core/handlers.js";
import { createMemoryStore } from "../../templates/runtime/core/idempotency.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createMetrics, type LagMetrics, type ServiceMetrics } from "../../templates/runtime/core/metrics.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher, encodeEvent } from "../../templates/runtime/core/publisher.js";
import type { Delivery, Disposition, ServiceDef, Transport } from "../../templates/runtime/core/types.js";
import { FAILURE_HEADERS } from "../../templates/runtime/core/types.js";
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { KAFKA_CLIENTS, type KafkaClient } from "../support/kafka-clients.js";
import { order, type Payloads } from "./fixtures.js";
import { sleep, waitFor as pollUntil } from "../support/wait.js";
import { kafkaService, produceRaw, readTopic, waitFor } from "./kafka-support.js";
import { foreignCloudEvent } from "../support/cloud-events.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

let createKafkaTransport: KafkaClient["createKafkaTransport"];

function connect(service: ServiceDef, sessionTimeoutMs?: number, metrics?: LagMetrics): Transport {
  const transport = createKafkaTransport({
    service,
    brokers: KAFKA_BROKERS,
    clientId: service.service,
    log: silentLogger,
    ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
    ...(metrics === undefined ? {} : { metrics }),
  });
  transports.push(transport);
  return transport;
}

/** Subscribes `consumer` through the real pipeline with these handlers. */
async function runPipeline(service: ServiceDef, transport: Transport, consumer: string, handlers: ConsumerHandlers) {
  const publisher = createPublisher<Record<string, unknown>>(service, transport);
  const def = service.consumers[consumer]!;
  const idempotency = def.idempotency === "none" ? {} : { idempotency: createMemoryStore() };
  await transport.subscribe(
    def,
    createPipeline({ service, consumer: def, handlers, publisher, log: silentLogger, ...idempotency }),
  );
  return createPublisher<Payloads>(service, transport);
}

const handled: Disposition = { action: "ack", outcome: "handled" };

async function lagSeries(metrics: ServiceMetrics) {
  const gauge = metrics.registry.getSingleMetric("evgen_consumer_lag");
  return ((await gauge?.get())?.values ?? []) as Array<{ labels: Record<string, string>; value: number }>;
}

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)("Kafka transport on $client", (client) => {
  beforeAll(() => {
    createKafkaTransport = client.createKafkaTransport;
  });

  it("delivers an event with its CloudEvents headers, key and body", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"] } });
    const transport = connect(service);
    const deliveries: Delivery[] = [];
    await transport.subscribe(service.consumers.mailer!, async (delivery) => {
      // What the Delivery interface promises (the transport's object may carry more).
      const { attributes, key, body, attempt, origin } = delivery;
      deliveries.push({ attributes, key, body, attempt, origin });
      return handled;
    });
    const orderId = randomUUID();
    const message = encodeEvent(service, "order.created", order({ orderId }), { traceparent: TRACEPARENT });
    await transport.publish([message]);

    await waitFor(() => deliveries.length === 1, 20_000, "the delivery");
    const topic = service.events["order.created"]!.topic;
    expect(deliveries[0]).toEqual({
      attributes: message.attributes,
      key: orderId,
      body: message.body,
      attempt: 1,
      origin: expect.stringMatching(new RegExp(`^${topic}\\[\\d\\]@0$`)),
    });
    const [raw] = await readTopic(topic, 1);
    expect(raw!.key).toBe(orderId);
    expect(JSON.parse(raw!.value)).toEqual({ ...order({ orderId }), currency: "EUR" });
    expect(raw!.headers).toEqual({
      ce_id: message.attributes.id,
      ce_type: "order.created",
      ce_source: service.source,
      ce_specversion: "1.0",
      ce_time: message.attributes.time,
      ce_dataversion: "1",
      ce_dataschema: "urn:evgen:order.created:v1",
      "content-type": "application/json",
      traceparent: TRACEPARENT,
    });
    expect(transport.isReady()).toBe(true);
  });

  it("retries a failing handler through the retry topics, each attempt no earlier than its delay", async () => {
    const delaysMs = [400, 800];
    const service = kafkaService({ mailer: { on: ["order.created"], retry: { delaysMs } } });
    const transport = connect(service);
    const attempts: Array<{ attempt: number; at: number }> = [];
    const publisher = await runPipeline(service, transport, "mailer", {
      "order.created": (_event, ctx) => {
        attempts.push({ attempt: ctx.attempt, at: Date.now() });
        if (ctx.attempt < 3) throw new Error(`flaky ${ctx.attempt}`);
      },
    });
    await publisher.publish("order.created", order({ orderId: randomUUID() }));

    await waitFor(() => attempts.length === 3, 30_000, "three attempts");
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(delaysMs[0]!);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(delaysMs[1]!);
    await sleep(1500);
    expect(attempts).toHaveLength(3);
  });

  it("a handler that published and then failed once leads to one handled event downstream (same id)", async () => {
    const service = kafkaService({
      mailer: { on: ["order.created"], emits: ["notification.sent"], retry: { delaysMs: [50] } },
      audit: { on: ["notification.sent"], idempotency: "memory" },
    });
    const transport = connect(service);
    const attempts: number[] = [];
    const handled: EvgenEvent[] = [];
    const publisher = await runPipeline(service, transport, "mailer", {
      "order.created": async (event, ctx) => {
        attempts.push(ctx.attempt);
        await ctx.publish("notification.sent", {
          orderId: (event.data as { orderId: string }).orderId,
          channel: "email",
        });
        if (ctx.attempt === 1) throw new Error("failed after publishing");
      },
    });
    await runPipeline(service, transport, "audit", { "notification.sent": (event) => void handled.push(event) });
    await publisher.publish("order.created", order({ orderId: randomUUID() }));

    const copies = await readTopic(service.events["notification.sent"]!.topic, 2);
    await waitFor(() => handled.length === 1, 30_000, "the downstream event");
    await sleep(500);
    expect(attempts).toEqual([1, 2]);
    expect(copies.map((record) => record.headers.ce_id)).toEqual([handled[0]!.id, handled[0]!.id]);
    expect(handled).toHaveLength(1);
  });

  it("dead-letters an always failing event after exactly `attempts` deliveries, with every failure header", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"], retry: { delaysMs: [100, 100] } } });
    const transport = connect(service);
    let deliveries = 0;
    const publisher = await runPipeline(service, transport, "mailer", {
      "order.created": () => {
        deliveries++;
        throw new Error("payment service down");
      },
    });
    const orderId = randomUUID();
    const id = await publisher.publish("order.created", order({ orderId }), { traceparent: TRACEPARENT });

    const dlq = await readTopic(service.consumers.mailer!.deadLetterQueue!, 1, 1500);
    expect(deliveries).toBe(3);
    expect(dlq).toHaveLength(1);
    const copy = dlq[0]!;
    const topic = service.events["order.created"]!.topic;
    const [original] = await readTopic(topic, 1);
    expect(copy.key).toBe(orderId);
    expect(copy.value).toBe(original!.value);
    expect(copy.headers).toEqual({
      ...original!.headers,
      [FAILURE_HEADERS.attempt]: "3",
      [FAILURE_HEADERS.error]: "Error: payment service down",
      [FAILURE_HEADERS.kind]: "error",
      [FAILURE_HEADERS.consumer]: "mailer",
      [FAILURE_HEADERS.failedAt]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      "x-evgen-original-topic": topic,
      "x-evgen-original-partition": String(original!.partition),
      "x-evgen-original-offset": original!.offset,
    });
    expect(copy.headers.ce_id).toBe(id);
  });

  it("dead-letters non-JSON, schema-invalid and non-retryable events at once and keeps consuming", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"] } });
    const transport = connect(service);
    const seen: string[] = [];
    const publisher = await runPipeline(service, transport, "mailer", {
      "order.created": (event) => {
        const data = event.data as Payloads["order.created"];
        if (data.userId === "banned") throw new NonRetryableError("user is banned");
        seen.push(data.userId);
      },
    });
    const orderId = randomUUID();
    const valid = encodeEvent(service, "order.created", order({ orderId }));
    await transport.publish([
      { ...valid, attributes: { ...valid.attributes, id: "not-json" }, body: Buffer.from("{oops") },
      { ...valid, attributes: { ...valid.attributes, id: "invalid" }, body: Buffer.from('{"orderId":42}') },
    ]);
    await publisher.publish("order.created", order({ orderId, userId: "banned" }));
    await publisher.publish("order.created", order({ orderId, userId: "after" }));

    const dlq = await readTopic(service.consumers.mailer!.deadLetterQueue!, 3, 500);
    const kinds = Object.fromEntries(dlq.map((r) => [r.headers.ce_id, r.headers[FAILURE_HEADERS.kind]]));
    expect(Object.values(kinds).sort()).toEqual(["invalid", "invalid", "non-retryable"]);
    expect(kinds["not-json"]).toBe("invalid");
    expect(kinds.invalid).toBe("invalid");
    expect(dlq.map((r) => r.headers[FAILURE_HEADERS.attempt])).toEqual(["1", "1", "1"]);
    expect(dlq.find((r) => r.headers.ce_id === "not-json")!.value).toBe("{oops");
    await waitFor(() => seen.includes("after"), 20_000, "the event after the bad ones");
  });

  it("dead-letters retry copies its retry settings could not have written, without holding the ones behind", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"], retry: { delaysMs: [200] } } });
    const mailer = service.consumers.mailer!;
    const transport = connect(service);
    const seen: Array<[string, number]> = [];
    await runPipeline(service, transport, "mailer", {
      "order.created": (event, ctx) => void seen.push([event.id, ctx.attempt]),
    });
    const body = JSON.stringify(order());
    const copy = (id: string, headers: Record<string, string>) => ({
      key: "one-partition",
      value: body,
      headers: {
        ...foreignCloudEvent("ce_", id),
        [FAILURE_HEADERS.attempt]: "1",
        [FAILURE_HEADERS.dueAt]: String(Date.now()),
        ...headers,
      },
    });
    const tenYears = 10 * 365 * 24 * 3600 * 1000;
    await produceRaw(mailer.retryQueues[0]!, [
      copy("far-future", { [FAILURE_HEADERS.dueAt]: String(Date.now() + tenYears) }),
      copy("attempt-99", { [FAILURE_HEADERS.attempt]: "99" }),
      copy("not-handled", { ce_type: "order.shipped" }),
      copy("due-garbage", { [FAILURE_HEADERS.dueAt]: "soon" }),
      copy("valid", {}),
    ]);

    await waitFor(() => seen.length > 0, 20_000, "the valid copy behind the forged ones");
    expect(seen).toEqual([["valid", 2]]);
    const dlq = await readTopic(mailer.deadLetterQueue!, 4, 500);
    const errors = Object.fromEntries(
      dlq.map((r) => [r.headers.ce_id, [r.headers[FAILURE_HEADERS.kind], r.headers[FAILURE_HEADERS.error]]]),
    );
    expect(errors).toEqual({
      "far-future": [
        "invalid",
        expect.stringMatching(/^x-evgen-due-at is \d+ ms ahead, more than the 200 ms delay of retry topic 1 allows$/),
      ],
      "attempt-99": ["invalid", 'x-evgen-attempt is "99" on retry topic 1, not 1'],
      "not-handled": ["invalid", 'event type "order.shipped" is not one mailer handles (order.created)'],
      "due-garbage": ["invalid", 'x-evgen-due-at is "soon", not a time in epoch milliseconds'],
    });
  });

  it("in blocking mode retries in place, keeping the order of a key", async () => {
    const service = kafkaService({
      mailer: { on: ["order.created"], retryQueues: [], retry: { mode: "blocking", delaysMs: [300, 300] } },
    });
    const transport = connect(service);
    const done: Array<{ key: string; seq: number; attempt: number }> = [];
    await transport.subscribe(service.consumers.mailer!, async (delivery) => {
      const { seq } = JSON.parse(delivery.body.toString()) as { seq: number };
      if (delivery.key === "a" && seq === 1 && delivery.attempt < 3) {
        const failure = {
          kind: "error",
          message: "busy",
          attempt: delivery.attempt,
          consumer: "mailer",
          failedAt: "",
        } as const;
        return { action: "retry", failure, delayMs: 300 };
      }
      done.push({ key: delivery.key!, seq, attempt: delivery.attempt });
      return handled;
    });
    const base = encodeEvent(service, "order.created", order());
    await transport.publish(
      ["a", "b", "a", "b", "a"].map((key, i) => ({ ...base, key, body: Buffer.from(JSON.stringify({ seq: i + 1 })) })),
    );

    await waitFor(() => done.length === 5, 20_000, "five events");
    expect(done.filter((d) => d.key === "a")).toEqual([
      { key: "a", seq: 1, attempt: 3 },
      { key: "a", seq: 3, attempt: 1 },
      { key: "a", seq: 5, attempt: 1 },
    ]);
    expect(done.filter((d) => d.key === "b").map((d) => d.seq)).toEqual([2, 4]);
    expect(await readTopic(service.events["order.created"]!.topic, 5)).toHaveLength(5);
  });

  it("with concurrency > 1 handles partitions in parallel, each partition in order", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"], concurrency: 3 } });
    const transport = connect(service);
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    let inFlight = 0;
    let maxInFlight = 0;
    const done: Array<{ key: string; seq: number }> = [];
    await transport.subscribe(service.consumers.mailer!, async (delivery) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(50);
      inFlight--;
      done.push({ key: delivery.key!, seq: (JSON.parse(delivery.body.toString()) as { seq: number }).seq });
      return handled;
    });
    const base = encodeEvent(service, "order.created", order());
    const messages = Array.from({ length: 48 }, (_, seq) => ({
      ...base,
      key: keys[seq % keys.length]!,
      body: Buffer.from(JSON.stringify({ seq })),
    }));
    await transport.publish(messages);

    await waitFor(() => done.length === 48, 30_000, "48 events");
    expect(maxInFlight).toBeGreaterThan(1);
    for (const key of keys) {
      const seqs = done.filter((d) => d.key === key).map((d) => d.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it("keeps its group membership while a handler runs longer than the session timeout", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"] } });
    const transport = connect(service, 6000);
    const seen: string[] = [];
    await transport.subscribe(service.consumers.mailer!, async (delivery) => {
      seen.push(delivery.attributes.id!);
      if (seen.length === 1) await sleep(9000);
      return handled;
    });
    const orderId = randomUUID();
    const slow = encodeEvent(service, "order.created", order({ orderId }));
    const next = encodeEvent(service, "order.created", order({ orderId }));
    await transport.publish([slow, next]);

    await waitFor(() => seen.length >= 2, 30_000, "both events");
    await sleep(3000);
    // A lapsed membership would fail the commit and deliver the slow event again.
    expect(seen).toEqual([slow.attributes.id, next.attributes.id]);
  });
  it("reports each partition's lag as the consumer works through it, and forgets it on stop", async () => {
    const service = kafkaService({ mailer: { on: ["order.created"] } });
    const metrics = createMetrics({ defaultMetrics: false });
    const transport = connect(service, undefined, metrics);
    const orderId = randomUUID(); // one key: one partition
    await transport.publish(
      Array.from({ length: 20 }, () => encodeEvent(service, "order.created", order({ orderId }))),
    );
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    await transport.subscribe(service.consumers.mailer!, async () => {
      if (handled++ === 0) await released;
      return { action: "ack", outcome: "handled" };
    });

    const topic = service.events["order.created"]!.topic;
    const lag = async () => (await lagSeries(metrics)).filter((s) => s.labels.topic === topic);
    await pollUntil(
      async () => (await lag()).some((s) => s.value === 20),
      20_000,
      "a lag of 20 while the first event is held",
    );
    release();
    await pollUntil(
      async () => handled === 20 && (await lag()).every((s) => s.value === 0),
      20_000,
      "no lag once all 20 are handled",
    );
    expect(await lag()).toHaveLength(1);
    expect(await metrics.registry.getSingleMetricAsString("evgen_consumer_lag")).toContain(
      `evgen_consumer_lag{consumer="mailer",topic="${topic}",partition="${(await lag())[0]!.labels.partition}"} 0`,
    );

    await transport.close();
    expect(await lagSeries(metrics)).toEqual([]);
  });
});
