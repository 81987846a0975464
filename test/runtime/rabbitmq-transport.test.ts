// The RabbitMQ transport against the real broker: wire format, retries through the wait queues,
// dead letters, invalid input, unroutable events, topology conflicts, concurrency and stop().
import type { GetMessage } from "amqplib";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { NonRetryableError } from "../../templates/runtime/core/errors.js";
import type { EvgenEvent } from "../../templates/runtime/core/handlers.js";
import { createRabbitTransport } from "../../templates/runtime/rabbitmq/transport.js";
import { startService } from "../../templates/runtime/core/service.js";
import { DELIVERY_LIMIT } from "../../templates/runtime/rabbitmq/topology.js";
import type { Delivery, ServiceDef } from "../../templates/runtime/core/types.js";
import { AMQP_URL, hasRabbit, RABBIT_VHOST, uniqueName } from "../support/brokers.js";
import { foreignCloudEvent } from "../support/cloud-events.js";
import { rabbitmqConfig } from "../../templates/runtime/rabbitmq/config.js";
import { order, recordingLogger, type Payloads } from "./fixtures.js";
import {
  FAST_BACKOFF,
  openAdmin,
  rabbitService,
  runRabbit,
  textHeaders,
  type RabbitAdmin,
} from "./rabbitmq-support.js";
import { createMetrics } from "../../templates/runtime/core/metrics.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

const eventually = (assertion: () => unknown, timeout = 10_000) => vi.waitFor(assertion, { timeout, interval: 20 });

describe.skipIf(!(await hasRabbit()))("RabbitMQ transport", () => {
  let admin: RabbitAdmin;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    admin = await openAdmin();
  });
  afterAll(async () => {
    await admin?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Runs the service and removes its queues and exchange after the test. */
  async function run(
    service: ServiceDef<"rabbitmq">,
    handlers: Parameters<typeof runRabbit>[1],
    options?: Parameters<typeof runRabbit>[2],
  ) {
    cleanups.push(() => admin.remove(service));
    const running = await runRabbit(service, handlers, options);
    cleanups.push(() => running.close());
    return running;
  }

  /** A queue bound to the service's exchange that sees every event exactly as it was sent. */
  async function tap(service: ServiceDef<"rabbitmq">): Promise<string> {
    const queue = `${service.service}.tap`;
    const ch = await admin.model.createChannel();
    await ch.assertQueue(queue, { durable: false });
    await ch.bindQueue(queue, service.rabbitmq.exchange, "#");
    await ch.close();
    cleanups.push(async () => {
      const c = await admin.model.createChannel();
      await c.deleteQueue(queue);
      await c.close();
    });
    return queue;
  }

  /** Waits until `count` messages are ready in `queue`, then takes them all. */
  async function waitForDepth(queue: string, count: number, timeout = 10_000): Promise<GetMessage[]> {
    await eventually(async () => expect(await admin.depth(queue)).toBeGreaterThanOrEqual(count), timeout);
    return admin.drain(queue);
  }

  it("delivers an event with its CloudEvents headers and AMQP properties", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const handled: EvgenEvent[] = [];
    const { publisher } = await run(service, { mailer: { "order.created": (event) => void handled.push(event) } });
    const wire = await tap(service);

    const before = Math.floor(Date.now() / 1000);
    const id = await publisher.publish("order.created", order(), { traceparent: TRACEPARENT });
    await eventually(() => expect(handled).toHaveLength(1));

    expect(handled[0]).toMatchObject({
      id,
      type: "order.created",
      source: service.source,
      specversion: "1.0",
      dataversion: 1,
      data: { ...order(), currency: "EUR" },
      traceparent: TRACEPARENT,
    });
    const [message] = await waitForDepth(wire, 1);
    expect(JSON.parse(message!.content.toString())).toEqual({ ...order(), currency: "EUR" });
    expect(message!.fields).toMatchObject({ exchange: service.rabbitmq.exchange, routingKey: "order.created" });
    expect(message!.properties).toMatchObject({
      messageId: id,
      type: "order.created",
      contentType: "application/json",
      appId: service.service,
      deliveryMode: 2,
    });
    expect(message!.properties.timestamp).toBeGreaterThanOrEqual(before);
    expect(message!.properties.headers).toEqual({
      cloudEvents_id: id,
      cloudEvents_type: "order.created",
      cloudEvents_source: service.source,
      cloudEvents_specversion: "1.0",
      cloudEvents_time: handled[0]!.time,
      cloudEvents_dataversion: "1",
      cloudEvents_dataschema: "urn:evgen:order.created:v1",
      traceparent: TRACEPARENT,
    });
    expect(await admin.depth(service.consumers.mailer!.group)).toBe(0);
  });

  it.each(["quorum", "classic"] as const)(
    "retries through the %s wait queues: handled on attempt 3, no earlier than the delays",
    async (queueType) => {
      const service = rabbitService(
        { mailer: { on: ["order.created"], retry: { delaysMs: [300, 600] } } },
        { queueType },
      );
      const attempts: Array<{ attempt: number; at: number }> = [];
      const { publisher } = await run(service, {
        mailer: {
          "order.created": (_event, ctx) => {
            attempts.push({ attempt: ctx.attempt, at: Date.now() });
            if (ctx.attempt < 3) throw new Error(`flaky ${ctx.attempt}`);
          },
        },
      });

      await publisher.publish("order.created", order());
      await eventually(() => expect(attempts).toHaveLength(3));

      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(300);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(600);
      await sleep(300);
      expect(attempts).toHaveLength(3);
      const { group, deadLetterQueue, retryQueues } = service.consumers.mailer!;
      for (const queue of [group, deadLetterQueue!, ...retryQueues]) expect(await admin.depth(queue)).toBe(0);
    },
  );

  it("dead-letters an always failing event after exactly `attempts` deliveries, with every failure header", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"], retry: { delaysMs: [100, 100] } } });
    const attempts: number[] = [];
    const { publisher } = await run(service, {
      mailer: {
        "order.created": (_event, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error("smtp down");
        },
      },
    });

    const id = await publisher.publish("order.created", order(), { traceparent: TRACEPARENT });
    const { group, deadLetterQueue } = service.consumers.mailer!;
    const [copy, ...more] = await waitForDepth(deadLetterQueue!, 1);
    await sleep(500);

    expect(attempts).toEqual([1, 2, 3]);
    expect(more).toEqual([]);
    expect(await admin.depth(deadLetterQueue!)).toBe(0);
    expect(JSON.parse(copy!.content.toString())).toEqual({ ...order(), currency: "EUR" });
    expect(copy!.properties).toMatchObject({
      messageId: id,
      type: "order.created",
      appId: service.service,
      deliveryMode: 2,
    });
    const headers = textHeaders(copy!);
    expect(headers).toMatchObject({
      cloudEvents_id: id,
      cloudEvents_type: "order.created",
      cloudEvents_source: service.source,
      traceparent: TRACEPARENT,
      "x-evgen-attempt": "3",
      "x-evgen-error": expect.stringContaining("smtp down"),
      "x-evgen-error-kind": "error",
      "x-evgen-consumer": "mailer",
      "x-evgen-original-queue": group,
    });
    expect(new Date(headers["x-evgen-failed-at"]!).getTime()).toBeGreaterThan(Date.now() - 10_000);
    expect(headers).not.toHaveProperty("x-evgen-due-at");
    expect(
      Object.keys(headers).filter((name) => name.startsWith("x-death") || name.startsWith("x-first-death")),
    ).toEqual([]);
  });

  it("sends invalid and non-retryable events to the dead letter at once and keeps consuming", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const handled: string[] = [];
    const { publisher } = await run(service, {
      mailer: {
        "order.created": (event) => {
          if (event.data && (event.data as { userId: string }).userId === "nobody")
            throw new NonRetryableError("no such user");
          handled.push(event.id);
        },
      },
    });
    const headers = (id: string) => foreignCloudEvent("cloudEvents_", id);
    const raw = await admin.model.createConfirmChannel();
    raw.publish(service.rabbitmq.exchange, "order.created", Buffer.from("{not json"), { headers: headers("not-json") });
    raw.publish(service.rabbitmq.exchange, "order.created", Buffer.from(JSON.stringify({ orderId: 7 })), {
      headers: headers("bad-schema"),
    });
    await raw.waitForConfirms();
    await raw.close();
    await publisher.publish("order.created", order({ userId: "nobody" }), { id: "non-retryable" });
    const good = await publisher.publish("order.created", order());

    const copies = await waitForDepth(service.consumers.mailer!.deadLetterQueue!, 3);
    await eventually(() => expect(handled).toHaveLength(1));
    expect(handled).toEqual([good]);
    expect(
      copies.map((copy) => {
        const h = textHeaders(copy);
        return [h.cloudEvents_id, h["x-evgen-error-kind"], h["x-evgen-attempt"]];
      }),
    ).toEqual([
      ["not-json", "invalid", "1"],
      ["bad-schema", "invalid", "1"],
      ["non-retryable", "non-retryable", "1"],
    ]);
    expect(textHeaders(copies[0]!)["x-evgen-error"]).toMatch(/not JSON/);
    expect(textHeaders(copies[1]!)["x-evgen-error"]).toMatch(/orderId/);
  });

  it("dead-letters, with the reason, what headers from outside make of an event, and drops a forged traceparent", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"], retry: { delaysMs: [10] } } });
    const handled: Array<{ id: string; attempt: number; traceparent?: string }> = [];
    await run(service, {
      mailer: {
        "order.created": (event, ctx) =>
          void handled.push({ id: event.id, attempt: ctx.attempt, traceparent: event.traceparent }),
      },
    });
    const body = Buffer.from(JSON.stringify(order()));
    const raw = await admin.model.createConfirmChannel();
    const send = (id: string, headers: Record<string, unknown>, content = body) =>
      raw.publish(service.rabbitmq.exchange, "order.created", content, {
        headers: { ...foreignCloudEvent("cloudEvents_", id), ...headers },
      });
    send("not-handled", { cloudEvents_type: "order.shipped" });
    send("forged-type", { cloudEvents_type: "forged.type" });
    send("attempt-99", { "x-evgen-attempt": 99 });
    send("attempt-text", { "x-evgen-attempt": "1" });
    send("table-id", { cloudEvents_id: { nested: "id" } });
    send("latin1", {}, Buffer.from(JSON.stringify(order({ userId: "Jos\u00e9" })), "latin1"));
    send("bad-trace", { traceparent: "00-not-a-trace\r\nx: 1" });
    await raw.waitForConfirms();
    await raw.close();

    const copies = await waitForDepth(service.consumers.mailer!.deadLetterQueue!, 6);
    await eventually(() => expect(handled).toHaveLength(1));
    expect(handled).toEqual([{ id: "bad-trace", attempt: 1, traceparent: undefined }]);
    const reasons = Object.fromEntries(
      copies.map((copy) => {
        const h = textHeaders(copy);
        expect(h["x-evgen-error-kind"]).toBe("invalid");
        return [h.cloudEvents_id === "[object Object]" ? "table-id" : h.cloudEvents_id, h["x-evgen-error"]];
      }),
    );
    expect(reasons).toEqual({
      "not-handled": 'event type "order.shipped" is not one mailer handles (order.created)',
      "forged-type": 'unknown event type "forged.type"',
      "attempt-99": "header x-evgen-attempt is 99, not a whole number from 1 to 1",
      "attempt-text": 'header x-evgen-attempt is "1", not a whole number from 1 to 1',
      "table-id": "header cloudEvents_id is a table, not a string",
      latin1: "body is not UTF-8",
    });
  });

  it("counts a dead letter only once the broker confirmed it", async () => {
    const service = rabbitService(
      { mailer: { on: ["order.created"], retry: { delaysMs: [] } } },
      { queueType: "classic" },
    );
    const mailer = service.consumers.mailer!;
    const metrics = createMetrics({ defaultMetrics: false });
    const transport = createRabbitTransport({ service, url: AMQP_URL, log: silentLogger, backoff: FAST_BACKOFF });
    cleanups.push(() => admin.remove(service));
    cleanups.push(() => transport.close());
    await transport.connect();
    const publisher = createPublisher<Payloads>(service, transport);
    const failing = { "order.created": () => Promise.reject(new Error("mail server down")) };
    await transport.subscribe(
      mailer,
      createPipeline({
        service,
        consumer: mailer,
        handlers: failing,
        publisher: createPublisher(service, transport),
        log: silentLogger,
        metrics,
      }),
    );
    const total = async (name: string) =>
      ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []).reduce(
        (sum, sample) => sum + sample.value,
        0,
      );

    // Without its dead-letter queue, the copy comes back unroutable and the event goes back to its queue.
    const channel = await admin.model.createChannel();
    await channel.deleteQueue(mailer.deadLetterQueue!);
    await publisher.publish("order.created", order());
    await eventually(async () => expect(await total("evgen_events_failed_total")).toBeGreaterThanOrEqual(3));
    expect(await total("evgen_events_dead_lettered_total")).toBe(0);

    await channel.assertQueue(mailer.deadLetterQueue, { durable: true });
    await channel.close();
    await eventually(async () => expect(await admin.depth(mailer.deadLetterQueue!)).toBe(1));
    // The queue may show the copy a moment before the client has the broker's confirm of it.
    await eventually(async () => expect(await total("evgen_events_dead_lettered_total")).toBe(1));
  });

  it("skips events the filter excludes and publishes what handlers emit, trace context included", async () => {
    const service = rabbitService({
      mailer: {
        on: ["order.created"],
        emits: ["notification.sent"],
        filter: [{ path: "data.channel", values: ["email"] }],
      },
      audit: { on: ["notification.sent"] },
    });
    const sent: EvgenEvent[] = [];
    const { publisher } = await run(service, {
      mailer: {
        "order.created": async (event, ctx) => {
          await ctx.publish("notification.sent", {
            orderId: (event.data as { orderId: string }).orderId,
            channel: "email",
          });
        },
      },
      audit: { "notification.sent": (event) => void sent.push(event) },
    });

    await publisher.publish("order.created", order({ channel: "sms" }));
    await publisher.publish("order.created", order({ channel: "email" }), { traceparent: TRACEPARENT });
    await eventually(() => expect(sent).toHaveLength(1));
    await sleep(300);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "notification.sent", traceparent: TRACEPARENT, data: { channel: "email" } });
    expect(await admin.depth(service.consumers.mailer!.group)).toBe(0);
  });

  it("a handler that published and then failed once leads to one handled event downstream (same id)", async () => {
    const service = rabbitService({
      mailer: { on: ["order.created"], emits: ["notification.sent"], retry: { delaysMs: [50] } },
      audit: { on: ["notification.sent"], idempotency: "memory" },
    });
    const handled: EvgenEvent[] = [];
    const attempts: number[] = [];
    const { publisher } = await run(service, {
      mailer: {
        "order.created": async (event, ctx) => {
          attempts.push(ctx.attempt);
          await ctx.publish("notification.sent", {
            orderId: (event.data as { orderId: string }).orderId,
            channel: "email",
          });
          if (ctx.attempt === 1) throw new Error("failed after publishing");
        },
      },
      audit: { "notification.sent": (event) => void handled.push(event) },
    });
    const wire = await tap(service);

    await publisher.publish("order.created", order());
    await eventually(() => expect(attempts).toEqual([1, 2]));
    const copies = (await waitForDepth(wire, 3)).filter((m) => m.fields.routingKey === "notification.sent");
    await sleep(300);

    expect(copies.map((m) => m.properties.messageId)).toEqual([handled[0]!.id, handled[0]!.id]);
    expect(handled).toHaveLength(1);
  });

  it("drops an event after its last attempt when the consumer has no dead letter, loudly", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"], deadLetter: false, retry: { delaysMs: [] } } });
    const { log, lines } = recordingLogger();
    let calls = 0;
    const { publisher } = await run(
      service,
      {
        mailer: {
          "order.created": () => {
            calls++;
            throw new Error("boom");
          },
        },
      },
      { log },
    );

    await publisher.publish("order.created", order());
    await eventually(() => expect(lines.some((l) => l.level === "error" && /dropped/.test(l.msg ?? ""))).toBe(true));
    await sleep(200);
    expect(calls).toBe(1);
    const { group, deadLetterQueue } = service.consumers.mailer!;
    expect(await admin.depth(group)).toBe(0);
    expect(deadLetterQueue).toBeUndefined();
    await expect(admin.depth(`${group}.dlq`)).rejects.toThrow(/NOT_FOUND/);
  });

  it("declares every consumer's queues on connect, so events wait for consumers that start later", async () => {
    const service = rabbitService({
      mailer: { on: ["order.created"] },
      audit: { on: ["order.created", "order.shipped"] },
    });
    const { publisher } = await run(service, {});

    await publisher.publish("order.created", order());
    await publisher.publish("order.shipped", { orderId: order().orderId, carrier: "dhl" });
    expect(await admin.depth(service.consumers.mailer!.group)).toBe(1);
    expect(await admin.depth(service.consumers.audit!.group)).toBe(2);
  });

  it("declares its queue again and resumes when the queue is deleted under a running consumer", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const handled: string[] = [];
    const { log, lines } = recordingLogger();
    const { publisher } = await run(
      service,
      { mailer: { "order.created": (event) => void handled.push(event.id) } },
      { log },
    );
    const ch = await admin.model.createChannel();
    await ch.deleteQueue(service.consumers.mailer!.group);
    await ch.close();

    const group = service.consumers.mailer!.group;
    await eventually(() =>
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: "RabbitMQ channel reopened", obj: { channel: group } }),
      ),
    );
    const id = await publisher.publish("order.created", order());
    await eventually(() => expect(handled).toEqual([id]));
  });

  it.each(["quorum", "classic"] as const)(
    "keeps an event no queue is bound to in a durable %s queue <service>.unrouted, and publishing succeeds",
    async (queueType) => {
      const service = rabbitService({ mailer: { on: ["order.created"] } }, { queueType });
      const { unrouted } = service.rabbitmq;
      const { publisher } = await run(service, { mailer: { "order.created": () => undefined } });

      const id = await publisher.publish("order.shipped", { orderId: order().orderId, carrier: "dhl" });
      const [kept] = await waitForDepth(unrouted, 1);
      expect(kept!.properties).toMatchObject({ messageId: id, type: "order.shipped", deliveryMode: 2 });
      expect(kept!.properties.headers).toMatchObject({ cloudEvents_id: id, cloudEvents_type: "order.shipped" });
      expect(await admin.depth(service.consumers.mailer!.group)).toBe(0);
      // The queue type follows the spec: the broker refuses the other one for it.
      const other = queueType === "quorum" ? "classic" : "quorum";
      const ch = await admin.model.createChannel();
      ch.on("error", () => undefined);
      await expect(ch.assertQueue(unrouted, { durable: true, arguments: { "x-queue-type": other } })).rejects.toThrow(
        /inequivalent arg 'x-queue-type'/,
      );
      // Routable events still reach their queue only.
      await publisher.publish("order.created", order());
      await sleep(200);
      expect(await admin.depth(unrouted)).toBe(0);
    },
  );

  it("a handler publishing an event no queue is bound to succeeds at once (no retry, no dead letter)", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"], emits: ["notification.sent"] } });
    const attempts: number[] = [];
    const { publisher } = await run(service, {
      mailer: {
        "order.created": async (event, ctx) => {
          attempts.push(ctx.attempt);
          await ctx.publish("notification.sent", {
            orderId: (event.data as { orderId: string }).orderId,
            channel: "email",
          });
        },
      },
    });

    await publisher.publish("order.created", order());
    const [kept] = await waitForDepth(service.rabbitmq.unrouted, 1);
    await sleep(300);
    expect(kept!.properties.type).toBe("notification.sent");
    expect(attempts).toEqual([1]);
    expect(await admin.depth(service.consumers.mailer!.deadLetterQueue!)).toBe(0);
  });

  it("on an exchange made without an alternate exchange (older evgen), still keeps unbound events in <service>.unrouted", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const { exchange, unrouted } = service.rabbitmq;
    const ch = await admin.model.createChannel();
    await ch.assertExchange(exchange, "topic", { durable: true });
    await ch.close();
    const { log, lines } = recordingLogger();
    const handled: string[] = [];
    const { publisher } = await run(
      service,
      { mailer: { "order.created": (event) => void handled.push(event.id) } },
      { log },
    );

    const id = await publisher.publish("order.shipped", { orderId: order().orderId, carrier: "dhl" });
    const [kept] = await waitForDepth(unrouted, 1);
    expect(kept!.properties.messageId).toBe(id);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: expect.stringContaining(`exists without the alternate exchange "${unrouted}"`),
      }),
    );
    const created = await publisher.publish("order.created", order());
    await eventually(() => expect(handled).toEqual([created]));
  });

  it("answers 202 over HTTP for an event no queue is bound to, and counts it as unrouted", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    cleanups.push(() => admin.remove(service));
    const handle = await startService({
      service,
      brokerConfig: rabbitmqConfig,
      env: { PORT: "0", AMQP_URL, EVGEN_CONSUMERS: "", LOG_LEVEL: "silent" },
      createTransport: (config, log) => createRabbitTransport({ service, url: config.amqp.url, log }),
      handlers: {},
    });
    cleanups.push(() => handle.stop());
    const base = `http://127.0.0.1:${handle.port}`;

    const response = await fetch(`${base}/events/order.shipped`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orderId: order().orderId, carrier: "dhl" }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const [kept] = await waitForDepth(service.rabbitmq.unrouted, 1);
    expect(kept!.properties.messageId).toBe(id);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('evgen_events_unrouted_total{type="order.shipped"} 1');
    expect(metrics).not.toMatch(/evgen_events_unrouted_total\{type="order.created"\}/);
  });

  it.each([
    [
      "a classic queue where a quorum queue is declared",
      (s: ServiceDef) => s.consumers.mailer!.group,
      { "x-queue-type": "classic" },
    ],
    [
      "a wait queue made by hand with other arguments",
      (s: ServiceDef) => s.consumers.mailer!.retryQueues[0]!,
      { "x-queue-type": "quorum", "x-message-ttl": 5 },
    ],
  ])("refuses to connect over %s, naming the queue and how to delete it", async (_case, queueOf, args) => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const queue = queueOf(service);
    cleanups.push(() => admin.remove(service));
    const ch = await admin.model.createChannel();
    await ch.assertQueue(queue, { durable: true, arguments: args });
    await ch.close();

    const transport = createRabbitTransport({ service, url: AMQP_URL, log: recordingLogger().log });
    cleanups.push(() => transport.close());
    await expect(transport.connect()).rejects.toThrow(
      new RegExp(
        `RabbitMQ queue "${queue.replace(/\./g, "\\.")}" already exists with different settings \\(inequivalent arg`,
      ),
    );
    await expect(transport.connect()).rejects.toThrow(`(rabbitmqctl -p ${RABBIT_VHOST} delete_queue ${queue})`);
  });

  it("takes new retry delays at a restart: events waiting in the old wait queue still arrive, and that queue expires", async () => {
    const name = uniqueName("rdelay");
    const before = rabbitService({ mailer: { on: ["order.created"], retry: { delaysMs: [1500] } } }, { name });
    const after = rabbitService({ mailer: { on: ["order.created"], retry: { delaysMs: [100] } } }, { name });
    const oldQueue = before.consumers.mailer!.retryQueues[0]!;
    const newQueue = after.consumers.mailer!.retryQueues[0]!;
    expect([oldQueue, newQueue]).toEqual([`${name}.mailer.retry-1500ms`, `${name}.mailer.retry-100ms`]);
    cleanups.push(() => admin.remove(before));
    const idle = { waitQueueIdleMs: 1500 }; // x-expires: the delay plus 1.5 s, renewed every second

    const first = await runRabbit(
      before,
      { mailer: { "order.created": () => Promise.reject(new Error("not yet")) } },
      idle,
    );
    const waiting = await first.publisher.publish("order.created", order());
    await eventually(async () => expect(await admin.depth(oldQueue)).toBe(1));
    await first.close();

    const attempts: Array<[string, number]> = [];
    const second = await run(
      after,
      {
        mailer: {
          "order.created": (event, ctx) => {
            attempts.push([event.id, ctx.attempt]);
            if (ctx.attempt === 1) throw new Error("first attempt");
          },
        },
      },
      idle,
    );
    await eventually(() => expect(attempts).toEqual([[waiting, 2]]), 5_000);
    const fresh = await second.publisher.publish("order.created", order());
    await eventually(
      () =>
        expect(attempts).toEqual([
          [waiting, 2],
          [fresh, 1],
          [fresh, 2],
        ]),
      5_000,
    );

    // Nobody declares the old wait queue any more: RabbitMQ deletes it. The new one is kept alive.
    await eventually(() => expect(admin.depth(oldQueue)).rejects.toThrow(/NOT_FOUND/), 10_000);
    expect(await admin.depth(newQueue)).toBe(0);
  });

  it("runs at most `concurrency` handlers at once", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"], concurrency: 3 } });
    let running = 0;
    let peak = 0;
    let done = 0;
    const { publisher } = await run(service, {
      mailer: {
        "order.created": async () => {
          peak = Math.max(peak, ++running);
          await sleep(50);
          running--;
          done++;
        },
      },
    });

    await publisher.publishBatch(Array.from({ length: 12 }, () => ({ type: "order.created" as const, data: order() })));
    await eventually(() => expect(done).toBe(12));
    expect(peak).toBe(3);
  });

  it("stop() waits for the running handler, acks it, and leaves unstarted deliveries in the queue", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const finished: string[] = [];
    let started = 0;
    const { publisher, subscriptions } = await run(service, {
      mailer: {
        "order.created": async (event) => {
          started++;
          await sleep(300);
          finished.push(event.id);
        },
      },
    });

    await publisher.publishBatch(Array.from({ length: 5 }, () => ({ type: "order.created" as const, data: order() })));
    await eventually(() => expect(started).toBe(1));
    await subscriptions.mailer!.stop();

    expect(finished).toHaveLength(1);
    await eventually(async () => expect(await admin.depth(service.consumers.mailer!.group)).toBe(4));
    expect(started).toBe(1);
  });

  it("publishes a large batch through the bounded confirm window", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const { publisher, subscriptions } = await run(
      service,
      { mailer: { "order.created": () => undefined } },
      { confirmWindow: 16 },
    );
    await subscriptions.mailer!.stop();

    const ids = await publisher.publishBatch(
      Array.from({ length: 3000 }, () => ({ type: "order.created" as const, data: order() })),
    );
    expect(new Set(ids).size).toBe(3000);
    expect(await admin.depth(service.consumers.mailer!.group)).toBe(3000);
  });

  it(`dead-letters a message redelivered ${DELIVERY_LIMIT} times instead of losing it (quorum delivery limit)`, async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    cleanups.push(() => admin.remove(service));
    const transport = createRabbitTransport({ service, url: AMQP_URL, log: recordingLogger().log });
    cleanups.push(() => transport.close());
    await transport.connect();
    let deliveries = 0;
    // A handler that never decides (a bug): the transport returns the message to the queue each time.
    await transport.subscribe(service.consumers.mailer!, async (_delivery: Delivery) => {
      deliveries++;
      throw new Error("bug");
    });
    const ch = await admin.model.createConfirmChannel();
    ch.publish(service.rabbitmq.exchange, "order.created", Buffer.from("{}"), { messageId: uniqueName("m") });
    await ch.waitForConfirms();
    await ch.close();

    const [copy] = await waitForDepth(service.consumers.mailer!.deadLetterQueue!, 1, 20_000);
    expect(deliveries).toBe(DELIVERY_LIMIT + 1);
    expect(textHeaders(copy!)["x-first-death-reason"]).toBe("delivery_limit");
  });
});
