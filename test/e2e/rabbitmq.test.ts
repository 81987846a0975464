// A generated RabbitMQ project, built and run as a process against the real broker, through the
// failure matrix of issue 4: round trip with CloudEvents headers and AMQP properties, retries
// after their delays, dead letters, invalid input, filter, ctx.publish, unroutable events,
// SIGKILL and SIGTERM with PostgreSQL idempotency.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AMQP_URL, DATABASE_URL, hasPostgres, hasRabbit, uniqueName } from "../support/brokers.js";
import { createProject, type Project } from "../support/project.js";
import type { ServiceDef } from "../../templates/runtime/types.js";
import { openAdmin, textHeaders, type RabbitAdmin } from "../runtime/rabbitmq-support.js";
import { freePort, serviceReady, type RunningService } from "./service-support.js";

const service = uniqueName("e2e-rmq");
const SPEC = `evgen: 1
service: ${service}
broker: rabbitmq
rabbitmq:
  prefetch: 20
events:
  order.created:
    schema:
      orderId: uuid
      userId: string
  order.cancelled:
    schema:
      orderId: uuid
  notification.sent:
    schema:
      orderId: uuid
      channel: string
consumers:
  mailer:
    on: [order.created]
    emits: [notification.sent]
    retry: { attempts: 3, delay: 300ms, backoff: fixed }
  notifier:
    on: [notification.sent]
  vip:
    on: [order.created]
    filter: { data.userId: vip }
  counter:
    on: [order.created]
    idempotency: postgres
`;

// Every handler appends what it saw to E2E_LOG, one JSON line per call.
const record = `import { appendFileSync } from "node:fs";
const record = (line: object) => appendFileSync(process.env.E2E_LOG!, JSON.stringify({ ...line, at: Date.now() }) + "\\n");`;

const HANDLERS: Record<string, string> = {
  mailer: `${record}
import { defineHandlers, NonRetryableError } from "../generated/consumers/mailer.js";
export default defineHandlers({
  "order.created": async (event, ctx) => {
    record({ consumer: "mailer", event, attempt: ctx.attempt });
    const { userId, orderId } = event.data;
    if (userId === "banned") throw new NonRetryableError("banned user");
    if (userId === "doomed") throw new Error("always failing");
    if (userId === "flaky" && ctx.attempt < 3) throw new Error("flaky " + ctx.attempt);
    if (userId === "notify") await ctx.publish("notification.sent", { orderId, channel: "email" });
  },
});`,
  notifier: `${record}
import { defineHandlers } from "../generated/consumers/notifier.js";
export default defineHandlers({
  "notification.sent": (event) => record({ consumer: "notifier", event }),
});`,
  vip: `${record}
import { defineHandlers } from "../generated/consumers/vip.js";
export default defineHandlers({
  "order.created": (event) => record({ consumer: "vip", event }),
});`,
  counter: `${record}
import { defineHandlers } from "../generated/consumers/counter.js";
export default defineHandlers({
  "order.created": async (event) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    record({ consumer: "counter", id: event.id });
  },
});`,
};

interface Line {
  consumer: string;
  event?: { id: string; type: string; source: string; time: string; data: Record<string, unknown> };
  id?: string;
  attempt?: number;
  at: number;
}

interface GeneratedPublisher {
  publish(type: string, data: unknown, opts?: object): Promise<string>;
  publishBatch(items: Array<{ type: string; data: unknown }>): Promise<string[]>;
  close(): Promise<void>;
}

/** Sends `signal` and resolves with how the process ended. */
async function stopWith(child: ChildProcess, signal: NodeJS.Signals) {
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill(signal);
  const [code, by] = await exit;
  return { code, signal: by };
}

const eventually = (assertion: () => unknown, timeout = 30_000) => vi.waitFor(assertion, { timeout, interval: 50 });

const ready = await Promise.all([hasRabbit(), hasPostgres()]);

describe.skipIf(!ready.every(Boolean))("generated RabbitMQ service", () => {
  let project: Project;
  let publisher: GeneratedPublisher;
  let admin: RabbitAdmin;
  let generatedService: ServiceDef | undefined;
  let main: RunningService;
  const queue = (consumer: string, suffix = "") => `${service}.${consumer}${suffix}`;
  const logFile = () => project.path("handled.jsonl");
  const lines = (consumer: string): Line[] =>
    existsSync(logFile())
      ? readFileSync(logFile(), "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Line)
          .filter((line) => line.consumer === consumer)
      : [];
  const linesOf = (consumer: string, orderId: string) =>
    lines(consumer).filter((l) => l.event?.data.orderId === orderId);
  const publishOrder = (data: { orderId: string; userId: string }) => publisher.publish("order.created", data);

  /** Starts the built service with these consumers and waits until /readyz says ready. */
  async function start(consumers: string): Promise<RunningService> {
    const port = await freePort();
    const child = project.start({
      PORT: String(port),
      AMQP_URL,
      DATABASE_URL,
      EVGEN_CONSUMERS: consumers,
      LOG_LEVEL: "warn",
      E2E_LOG: logFile(),
    });
    return serviceReady(child, port);
  }

  /** Waits for `count` messages in a dead-letter queue and takes them. */
  async function deadLetters(consumer: string, count: number) {
    await eventually(async () => expect(await admin.depth(queue(consumer, ".dlq"))).toBeGreaterThanOrEqual(count));
    return admin.drain(queue(consumer, ".dlq"));
  }

  beforeAll(async () => {
    admin = await openAdmin();
    project = await createProject({ spec: SPEC, handlers: HANDLERS });
    await project.build();
    const generated = (await import(project.path("dist/generated/index.js"))) as {
      createPublisher(options: { env: Record<string, string> }): GeneratedPublisher;
    };
    publisher = generated.createPublisher({ env: { AMQP_URL, DATABASE_URL, LOG_LEVEL: "warn" } });
    ({ serviceDef: generatedService } = (await import(project.path("dist/generated/service-def.js"))) as {
      serviceDef: ServiceDef;
    });
    main = await start("mailer,notifier,vip");
  }, 240_000);

  afterAll(async () => {
    await publisher?.close();
    await project?.cleanup();
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
      timestamp: Math.floor(Date.parse(line!.event!.time) / 1000),
    });
    expect(message.properties.headers).toEqual({
      cloudEvents_id: id,
      cloudEvents_type: "order.created",
      cloudEvents_source: `/${service}`,
      cloudEvents_specversion: "1.0",
      cloudEvents_time: line!.event!.time,
      cloudEvents_dataversion: "1",
    });
  });

  it("handles a handler failing twice on attempt 3, no earlier than the delays", async () => {
    const orderId = randomUUID();
    await publishOrder({ orderId, userId: "flaky" });
    await eventually(() => expect(linesOf("mailer", orderId)).toHaveLength(3));
    const attempts = linesOf("mailer", orderId);
    expect(attempts.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(300);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(300);
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
    const headers = (id: string) => ({
      cloudEvents_id: id,
      cloudEvents_type: "order.created",
      cloudEvents_source: "/elsewhere",
      cloudEvents_specversion: "1.0",
      cloudEvents_time: new Date().toISOString(),
      cloudEvents_dataversion: "1",
    });
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

  it("skips events the filter does not match, and delivers what a handler publishes to its consumer", async () => {
    const vipOrder = randomUUID();
    const otherOrder = randomUUID();
    const notifyOrder = randomUUID();
    await publishOrder({ orderId: otherOrder, userId: "bob" });
    await publishOrder({ orderId: vipOrder, userId: "vip" });
    await publishOrder({ orderId: notifyOrder, userId: "notify" });

    await eventually(() => expect(linesOf("vip", vipOrder)).toHaveLength(1));
    await eventually(() => expect(linesOf("notifier", notifyOrder)).toHaveLength(1));
    expect(linesOf("vip", otherOrder)).toEqual([]);
    expect(linesOf("notifier", notifyOrder)[0]!.event).toMatchObject({
      type: "notification.sent",
      data: { orderId: notifyOrder, channel: "email" },
    });
  });

  it("rejects a publish no queue is bound for, naming the routing key", async () => {
    await expect(publisher.publish("order.cancelled", { orderId: randomUUID() })).rejects.toThrow(
      `no queue is bound to routing key "order.cancelled" on exchange "${service}.events"`,
    );
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const signalledAt = Date.now();
    expect(await stopWith(main.child, "SIGTERM")).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
  });

  it(
    "loses nothing through two SIGKILLs and a SIGTERM mid-stream; PostgreSQL idempotency stops repeats",
    { timeout: 300_000 },
    async () => {
      const ids = await publisher.publishBatch(
        Array.from({ length: 2000 }, () => ({
          type: "order.created",
          data: { orderId: randomUUID(), userId: "bulk" },
        })),
      );
      const wanted = new Set(ids);
      const counts = () => {
        const seen = new Map<string, number>();
        for (const line of lines("counter"))
          if (wanted.has(line.id!)) seen.set(line.id!, (seen.get(line.id!) ?? 0) + 1);
        return seen;
      };

      for (const [stopAfter, signal] of [
        [400, "SIGKILL"],
        [1000, "SIGKILL"],
        [1500, "SIGTERM"],
      ] as const) {
        const { child } = await start("counter");
        await eventually(() => expect(counts().size).toBeGreaterThanOrEqual(stopAfter), 120_000);
        expect(await stopWith(child, signal)).toEqual(
          signal === "SIGKILL" ? { code: null, signal } : { code: 0, signal: null },
        );
        expect(counts().size).toBeLessThan(ids.length);
      }
      const last = await start("counter");
      await eventually(() => expect(counts().size).toBe(ids.length), 120_000);
      expect(await last.stop()).toBe(0);
      expect(await admin.depth(queue("counter"))).toBe(0);

      // A kill between a handler's end and its idempotency mark repeats that one event: at most one per kill.
      expect([...counts().values()].filter((n) => n > 1).length).toBeLessThanOrEqual(2);
    },
  );
});
