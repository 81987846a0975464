// A generated Kafka project, built and run as a process against the real broker, through the
// failure matrix of issue 3: round trip, retries after their delays, dead letters, invalid input,
// blocking order, filter, ctx.publish, SIGKILL and SIGTERM with PostgreSQL idempotency.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasKafka, hasPostgres, DATABASE_URL, KAFKA_BROKERS, uniqueName } from "../support/brokers.js";
import { createProject, type Project } from "../support/project.js";
import { produceRaw, readTopic, sleep, waitFor } from "../runtime/kafka-support.js";

const service = uniqueName("e2e");
const SPEC = `evgen: 1
service: ${service}
broker: kafka
events:
  order.created:
    key: orderId
    topic: ${service}.orders
    schema:
      orderId: uuid
      userId: string
      seq?: integer
  notification.sent:
    topic: ${service}.notifications
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
  ledger:
    on: [order.created]
    retry: { attempts: 3, delay: 200ms, backoff: fixed, mode: blocking }
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
  ledger: `${record}
import { defineHandlers } from "../generated/consumers/ledger.js";
export default defineHandlers({
  "order.created": (event, ctx) => {
    if (event.data.userId === "ledger-flaky" && event.data.seq === 1 && ctx.attempt < 3) throw new Error("not yet");
    record({ consumer: "ledger", event, attempt: ctx.attempt });
  },
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
  event?: { id: string; type: string; source: string; specversion: string; time: string; dataversion: number; key?: string; data: Record<string, unknown> };
  id?: string;
  attempt?: number;
  at: number;
}

interface OrderData {
  orderId: string;
  userId: string;
  seq?: number;
}
interface GeneratedPublisher {
  publish(type: string, data: unknown, opts?: object): Promise<string>;
  publishBatch(items: Array<{ type: string; data: unknown }>): Promise<string[]>;
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const ready = await Promise.all([hasKafka(), hasPostgres()]);

describe.skipIf(!ready.every(Boolean))("generated Kafka service", () => {
  let project: Project;
  let publisher: GeneratedPublisher;
  let service1: ChildProcess;
  const logFile = () => project.path("handled.jsonl");
  const lines = (consumer: string): Line[] =>
    existsSync(logFile())
      ? readFileSync(logFile(), "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Line)
          .filter((line) => line.consumer === consumer)
      : [];
  const linesOf = (consumer: string, orderId: string) => lines(consumer).filter((l) => l.event?.data.orderId === orderId);
  const publishOrder = (data: OrderData) => publisher.publish("order.created", data);

  async function start(consumers: string): Promise<ChildProcess> {
    const port = await freePort();
    const child = project.start({
      PORT: String(port),
      KAFKA_BROKERS: KAFKA_BROKERS.join(","),
      DATABASE_URL,
      EVGEN_CONSUMERS: consumers,
      LOG_LEVEL: "warn",
      E2E_LOG: logFile(),
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 60_000;
    while (child.exitCode === null) {
      if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) return child;
      if (Date.now() > deadline) throw new Error(`the service is not ready after 60 s:\n${output}`);
      await sleep(200);
    }
    throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
  }

  const exitOf = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
      : new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.once("exit", (code, signal) => resolve({ code, signal })),
        );

  beforeAll(async () => {
    project = await createProject({ spec: SPEC, handlers: HANDLERS });
    await project.build();
    const generated = (await import(project.path("dist/generated/index.js"))) as {
      createPublisher(options: { env: Record<string, string> }): GeneratedPublisher;
    };
    publisher = generated.createPublisher({
      env: { KAFKA_BROKERS: KAFKA_BROKERS.join(","), DATABASE_URL, LOG_LEVEL: "warn" },
    });
    service1 = await start("mailer,notifier,vip,ledger");
  }, 240_000);

  afterAll(async () => {
    await publisher?.close();
    await project?.cleanup();
  });

  it("delivers a typed publish to the handler with its CloudEvents attributes and key", async () => {
    const orderId = randomUUID();
    const id = await publishOrder({ orderId, userId: "alice", seq: 1 });
    await waitFor(() => linesOf("mailer", orderId).length === 1, 30_000, "the mailer to handle it");
    const [line] = linesOf("mailer", orderId);
    expect(line!.attempt).toBe(1);
    expect(line!.event).toEqual({
      id,
      type: "order.created",
      source: `/${service}`,
      specversion: "1.0",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      dataversion: 1,
      key: orderId,
      data: { orderId, userId: "alice", seq: 1 },
    });
  });

  it("handles a handler failing twice on attempt 3, no earlier than the delays", async () => {
    const orderId = randomUUID();
    await publishOrder({ orderId, userId: "flaky" });
    await waitFor(() => linesOf("mailer", orderId).length === 3, 30_000, "three attempts");
    const attempts = linesOf("mailer", orderId);
    expect(attempts.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(300);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(300);
  });

  it("dead-letters an always failing event after exactly 3 deliveries with every failure header", async () => {
    const orderId = randomUUID();
    const id = await publishOrder({ orderId, userId: "doomed" });
    const dlq = (await readTopic(`${service}.mailer.dlq`, (records) => records.some((r) => r.headers.ce_id === id), 1000))
      .filter((r) => r.headers.ce_id === id);
    expect(dlq).toHaveLength(1);
    expect(linesOf("mailer", orderId)).toHaveLength(3);
    expect(dlq[0]!.key).toBe(orderId);
    expect(JSON.parse(dlq[0]!.value)).toEqual({ orderId, userId: "doomed" });
    expect(dlq[0]!.headers).toMatchObject({
      ce_type: "order.created",
      ce_source: `/${service}`,
      "x-evgen-attempt": "3",
      "x-evgen-error": "Error: always failing",
      "x-evgen-error-kind": "error",
      "x-evgen-consumer": "mailer",
      "x-evgen-failed-at": expect.stringMatching(/^\d{4}-/),
      "x-evgen-original-topic": `${service}.orders`,
      "x-evgen-original-partition": expect.stringMatching(/^\d$/),
      "x-evgen-original-offset": expect.stringMatching(/^\d+$/),
    });
  });

  it("dead-letters non-retryable, non-JSON and schema-invalid events at once and keeps going", async () => {
    const orderId = randomUUID();
    const bannedId = await publishOrder({ orderId, userId: "banned" });
    const headers = (id: string) => ({
      ce_id: id,
      ce_type: "order.created",
      ce_source: "/elsewhere",
      ce_specversion: "1.0",
      ce_time: new Date().toISOString(),
      ce_dataversion: "1",
      "content-type": "application/json",
    });
    const notJson = randomUUID();
    const invalid = randomUUID();
    await produceRaw(`${service}.orders`, [
      { key: orderId, value: "{not json", headers: headers(notJson) },
      { key: orderId, value: JSON.stringify({ orderId: "nope" }), headers: headers(invalid) },
    ]);
    await publishOrder({ orderId, userId: "after" });

    await waitFor(() => linesOf("mailer", orderId).some((l) => l.event!.data.userId === "after"), 30_000, "the later event");
    const ours = (r: { headers: Record<string, string> }) => [bannedId, notJson, invalid].includes(r.headers.ce_id!);
    const dlq = (await readTopic(`${service}.mailer.dlq`, (records) => records.filter(ours).length >= 3, 500)).filter(ours);
    const kinds = Object.fromEntries(dlq.map((r) => [r.headers.ce_id, r.headers["x-evgen-error-kind"]]));
    expect(kinds).toEqual({ [bannedId]: "non-retryable", [notJson]: "invalid", [invalid]: "invalid" });
    expect(linesOf("mailer", orderId).filter((l) => l.event!.data.userId === "banned")).toHaveLength(1);
  });

  it("keeps per-key order in blocking mode while an event is retried", async () => {
    const orderId = randomUUID();
    for (const seq of [1, 2, 3]) await publishOrder({ orderId, userId: "ledger-flaky", seq });
    await waitFor(() => linesOf("ledger", orderId).length === 3, 30_000, "the ledger to handle three events");
    expect(linesOf("ledger", orderId).map((l) => [l.event!.data.seq, l.attempt])).toEqual([
      [1, 3],
      [2, 1],
      [3, 1],
    ]);
  });

  it("skips events the filter does not match, and delivers what a handler publishes to its consumer", async () => {
    const vipOrder = randomUUID();
    const otherOrder = randomUUID();
    const notifyOrder = randomUUID();
    await publishOrder({ orderId: otherOrder, userId: "bob" });
    await publishOrder({ orderId: vipOrder, userId: "vip" });
    await publishOrder({ orderId: notifyOrder, userId: "notify" });

    await waitFor(() => linesOf("vip", vipOrder).length === 1, 30_000, "the vip event");
    await waitFor(() => linesOf("notifier", notifyOrder).length === 1, 30_000, "the notification");
    expect(linesOf("vip", otherOrder)).toEqual([]);
    expect(linesOf("notifier", notifyOrder)[0]!.event).toMatchObject({
      type: "notification.sent",
      data: { orderId: notifyOrder, channel: "email" },
    });
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const signalledAt = Date.now();
    service1.kill("SIGTERM");
    expect(await exitOf(service1)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
  });

  it(
    "loses nothing through two SIGKILLs and a SIGTERM mid-stream; PostgreSQL idempotency stops repeats",
    { timeout: 300_000 },
    async () => {
      const ids = await publisher.publishBatch(
        Array.from({ length: 2000 }, () => ({ type: "order.created", data: { orderId: randomUUID(), userId: "bulk" } })),
      );
      const wanted = new Set(ids);
      const counts = () => {
        const seen = new Map<string, number>();
        for (const line of lines("counter")) if (wanted.has(line.id!)) seen.set(line.id!, (seen.get(line.id!) ?? 0) + 1);
        return seen;
      };

      for (const [stopAfter, signal] of [
        [400, "SIGKILL"],
        [1000, "SIGKILL"],
        [1500, "SIGTERM"],
      ] as const) {
        const child = await start("counter");
        await waitFor(() => counts().size >= stopAfter, 120_000, () => `${stopAfter} events (${counts().size})`);
        child.kill(signal);
        const exit = await exitOf(child);
        expect(exit).toEqual(signal === "SIGKILL" ? { code: null, signal } : { code: 0, signal: null });
        expect(counts().size).toBeLessThan(ids.length);
      }
      const last = await start("counter");
      await waitFor(() => counts().size === ids.length, 120_000, () => `every event (${counts().size})`);
      last.kill("SIGTERM");
      await exitOf(last);

      // A kill between a handler's end and its idempotency mark repeats that one event: at most one per kill.
      expect([...counts().values()].filter((n) => n > 1).length).toBeLessThanOrEqual(2);
    },
  );
});
