// A generated RabbitMQ project, built and run as a process against the real broker, through the
// failure matrix of issue 4: round trip with CloudEvents headers and AMQP properties, retries
// after their delays, dead letters, invalid input, filter, ctx.publish, unbound events kept in <service>.unrouted,
// SIGKILL and SIGTERM with PostgreSQL idempotency.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AMQP_URL, hasPostgres, hasRabbit, uniqueName } from "../support/brokers.js";
import { foreignCloudEvent } from "../support/cloud-events.js";
import {
  MATRIX_CONSUMERS,
  MATRIX_HANDLERS,
  counterCounts,
  expectGracefulStop,
  expectFilteredAndNotified,
  expectSdkOrdersHandled,
  expectThreeAttempts,
  matrixProject,
  publishBulk,
  publishFilterOrders,
  sendSdkOrders,
  stopMidStreamThenFinish,
} from "../support/failure-matrix.js";
import { sdkAmqpMessage } from "../support/sdk-events.js";
import { notificationSent, specText } from "../support/spec.js";
import { sleep } from "../support/wait.js";
import type { ServiceDef } from "../../templates/runtime/core/types.js";
import { openAdmin, textHeaders, type RabbitAdmin } from "../runtime/rabbitmq-support.js";
import type { RunningService } from "./service-support.js";

const service = uniqueName("e2e-rmq");
const SPEC = specText({
  service,
  broker: "rabbitmq",
  rabbitmq: { prefetch: 20 },
  events: {
    "order.created": { schema: { orderId: "uuid", userId: "string", "seq?": "integer" } },
    "order.cancelled": { schema: { orderId: "uuid" } },
    "notification.sent": notificationSent(),
  },
  consumers: MATRIX_CONSUMERS,
});

const eventually = (assertion: () => unknown, timeout = 30_000) => vi.waitFor(assertion, { timeout, interval: 50 });

const ready = await Promise.all([hasRabbit(), hasPostgres()]);

describe.skipIf(!ready.every(Boolean))("generated RabbitMQ service", () => {
  const matrix = matrixProject({ AMQP_URL });
  const { linesOf, publishOrder, start } = matrix;
  let admin: RabbitAdmin;
  let generatedService: ServiceDef<"rabbitmq"> | undefined;
  let main: RunningService;
  const queue = (consumer: string, suffix = "") => `${service}.${consumer}${suffix}`;

  /** Waits for `count` messages in a dead-letter queue and takes them. */
  async function deadLetters(consumer: string, count: number) {
    await eventually(async () => expect(await admin.depth(queue(consumer, ".dlq"))).toBeGreaterThanOrEqual(count));
    return admin.drain(queue(consumer, ".dlq"));
  }

  beforeAll(async () => {
    admin = await openAdmin();
    await matrix.build(SPEC, MATRIX_HANDLERS);
    ({ serviceDef: generatedService } = (await import(matrix.project.path("dist/generated/service-def.js"))) as {
      serviceDef: ServiceDef<"rabbitmq">;
    });
    main = await start("mailer,notifier,vip");
  }, 240_000);

  afterAll(async () => {
    await matrix.cleanup();
    if (generatedService) await admin.remove(generatedService);
    await admin?.close();
  });

  it("delivers a typed publish with its CloudEvents headers and AMQP properties", async () => {
    const tap = queue("tap");
    const ch = await admin.model.createChannel();
    await ch.assertQueue(tap, { exclusive: true });
    await ch.bindQueue(tap, `${service}.events`, "#");

    const orderId = randomUUID();
    const id = await publishOrder({ orderId, userId: "alice" });
    await eventually(() => expect(linesOf("mailer", orderId)).toHaveLength(1));
    const [line] = linesOf("mailer", orderId);
    expect(line!.attempt).toBe(1);
    expect(line!.event).toEqual({
      id,
      type: "order.created",
      source: `/${service}`,
      specversion: "1.0",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      dataversion: 1,
      dataschema: "urn:evgen:order.created:v1",
      data: { orderId, userId: "alice" },
    });

    const message = await ch.get(tap);
    await ch.deleteQueue(tap);
    await ch.close();
    expect(message).not.toBe(false);
    if (!message) return;
    expect(message.properties).toMatchObject({
      messageId: id,
      type: "order.created",
      contentType: "application/json",
      appId: service,
      deliveryMode: 2,
      timestamp: Math.floor(Date.parse(line!.event!.time!) / 1000),
    });
    expect(message.properties.headers).toEqual({
      cloudEvents_id: id,
      cloudEvents_type: "order.created",
      cloudEvents_source: `/${service}`,
      cloudEvents_specversion: "1.0",
      cloudEvents_time: line!.event!.time,
      cloudEvents_dataversion: "1",
      cloudEvents_dataschema: "urn:evgen:order.created:v1",
    });
  });

  it("handles a handler failing twice on attempt 3, no earlier than the delays", async () => {
    const orderId = randomUUID();
    await publishOrder({ orderId, userId: "flaky" });
    await eventually(() => expect(linesOf("mailer", orderId)).toHaveLength(3));
    expectThreeAttempts(linesOf("mailer", orderId), 300);
  });

  it("dead-letters an always failing event after exactly 3 deliveries with every failure header", async () => {
    const orderId = randomUUID();
    const id = await publishOrder({ orderId, userId: "doomed" });
    const [copy, ...more] = await deadLetters("mailer", 1);
    await sleep(700); // time for a wrong fourth delivery to show up
    expect(more).toEqual([]);
    expect(linesOf("mailer", orderId)).toHaveLength(3);
    expect(JSON.parse(copy!.content.toString())).toEqual({ orderId, userId: "doomed" });
    expect(copy!.properties).toMatchObject({ messageId: id, type: "order.created", appId: service });
    expect(textHeaders(copy!)).toMatchObject({
      cloudEvents_id: id,
      cloudEvents_type: "order.created",
      cloudEvents_source: `/${service}`,
      "x-evgen-attempt": "3",
      "x-evgen-error": "Error: always failing",
      "x-evgen-error-kind": "error",
      "x-evgen-consumer": "mailer",
      "x-evgen-failed-at": expect.stringMatching(/^\d{4}-/),
      "x-evgen-original-queue": queue("mailer"),
    });
  });

  it("dead-letters non-retryable, non-JSON and schema-invalid events at once and keeps going", async () => {
    const orderId = randomUUID();
    const bannedId = await publishOrder({ orderId, userId: "banned" });
    const headers = (id: string) => foreignCloudEvent("cloudEvents_", id);
    const notJson = randomUUID();
    const invalid = randomUUID();
    const raw = await admin.model.createConfirmChannel();
    raw.publish(`${service}.events`, "order.created", Buffer.from("{not json"), { headers: headers(notJson) });
    raw.publish(`${service}.events`, "order.created", Buffer.from(JSON.stringify({ orderId: "nope" })), {
      headers: headers(invalid),
    });
    await raw.waitForConfirms();
    await raw.close();
    await publishOrder({ orderId, userId: "after" });

    await eventually(() => expect(linesOf("mailer", orderId).some((l) => l.event!.data.userId === "after")).toBe(true));
    const copies = await deadLetters("mailer", 3);
    const kinds = Object.fromEntries(
      copies.map((m) => [textHeaders(m).cloudEvents_id, textHeaders(m)["x-evgen-error-kind"]]),
    );
    expect(kinds).toEqual({ [bannedId]: "non-retryable", [notJson]: "invalid", [invalid]: "invalid" });
    expect(linesOf("mailer", orderId).filter((l) => l.event!.data.userId === "banned")).toHaveLength(1);
  });

  it("handles the CloudEvents SDK's binary (cloudEvents: prefix) and structured events, without dataversion or time", async () => {
    const raw = await admin.model.createConfirmChannel();
    const sent = await sendSdkOrders(async (event, mode, changes) => {
      const { content, options } = sdkAmqpMessage(event, mode, { ...changes, prefix: "cloudEvents:" });
      raw.publish(`${service}.events`, "order.created", content, options);
    });
    await raw.waitForConfirms();
    await raw.close();
    await eventually(() => expect(linesOf("mailer", sent.orderId)).toHaveLength(3));
    expectSdkOrdersHandled(matrix, sent);
  });

  it("skips events the filter does not match, and delivers what a handler publishes to its consumer", async () => {
    const orders = await publishFilterOrders(matrix, main);

    await eventually(() => expect(linesOf("vip", orders.vipOrder)).toHaveLength(1));
    await eventually(() => expect(linesOf("notifier", orders.notifyOrder)).toHaveLength(1));
    await expectFilteredAndNotified(matrix, main, orders);
  });

  it("keeps a publish no queue is bound to in <service>.unrouted, and answers 202 over HTTP for one", async () => {
    const id = await matrix.publisher.publish("order.cancelled", { orderId: randomUUID() });
    const response = await fetch(main.url("/events/order.cancelled"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orderId: randomUUID() }),
    });
    expect(response.status).toBe(202);
    await eventually(async () => expect(await admin.depth(`${service}.unrouted`)).toBe(2));
    const kept = await admin.drain(`${service}.unrouted`);
    expect(kept.map((m) => m.properties.type)).toEqual(["order.cancelled", "order.cancelled"]);
    expect(kept[0]!.properties.messageId).toBe(id);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    await expectGracefulStop(main);
  });

  it(
    "loses nothing through two SIGKILLs and a SIGTERM mid-stream; PostgreSQL idempotency stops repeats",
    { timeout: 300_000 },
    async () => {
      const ids = await publishBulk(matrix.publisher);
      const counts = counterCounts(matrix, ids);

      const last = await stopMidStreamThenFinish(matrix, () => counts().size, ids.length);
      expect(await last.stop()).toBe(0);
      expect(await admin.depth(queue("counter"))).toBe(0);

      // A kill between a handler's end and its idempotency mark repeats that one event: at most one per kill.
      expect([...counts().values()].filter((n) => n > 1).length).toBeLessThanOrEqual(2);
    },
  );
});
