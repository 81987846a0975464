// What the end-to-end failure matrix tests of a generated Kafka project (e2e/kafka.test.ts) and a
// generated RabbitMQ project (e2e/rabbitmq.test.ts) share: the consumers of their specs, handlers
// that append what they saw to E2E_LOG (one JSON line per call) and fail on request, reading those
// lines back, the generated publisher, and stopping the service process.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { expect } from "vitest";
import { RECORDER, metrics, metricValue, recorded, startService, type RunningService } from "../e2e/service-support.js";
import { DATABASE_URL } from "./brokers.js";
import { createProject, type Project } from "./project.js";
import { mailer, notifier, type ConsumerSpec } from "./spec.js";
import { waitFor } from "./wait.js";
import { sdkEvent, type ContentMode, type WireChanges } from "./sdk-events.js";
import type { CloudEvent } from "cloudevents";

/** The consumers both specs have (Kafka's adds a blocking one). */
export const MATRIX_CONSUMERS: Record<string, ConsumerSpec> = {
  mailer: mailer("300ms"),
  notifier,
  vip: { on: ["order.created"], filter: { "data.userId": "vip", "data.seq": { gte: 2, lt: 10 } } },
  counter: { on: ["order.created"], idempotency: "postgres" },
};

/** Handler modules for MATRIX_CONSUMERS: each records its calls; the mailer fails or publishes by userId. */
export const MATRIX_HANDLERS: Record<string, string> = {
  mailer: `${RECORDER}
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
  notifier: `${RECORDER}
import { defineHandlers } from "../generated/consumers/notifier.js";
export default defineHandlers({
  "notification.sent": (event) => record({ consumer: "notifier", event }),
});`,
  vip: `${RECORDER}
import { defineHandlers } from "../generated/consumers/vip.js";
export default defineHandlers({
  "order.created": (event, ctx) => {
    if (event.data.seq === 7) return ctx.skip("lucky-seven");
    record({ consumer: "vip", event });
  },
});`,
  counter: `${RECORDER}
import { defineHandlers } from "../generated/consumers/counter.js";
export default defineHandlers({
  "order.created": async (event) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    record({ consumer: "counter", id: event.id });
  },
});`,
};

/** One recorded handler call. */
export interface Line {
  consumer: string;
  event?: {
    id: string;
    type: string;
    source: string;
    specversion: string;
    time?: string;
    dataversion: number;
    subject?: string;
    dataschema?: string;
    extensions?: Record<string, string>;
    key?: string;
    data: Record<string, unknown>;
  };
  id?: string;
  attempt?: number;
  at: number;
}

export interface OrderData {
  orderId: string;
  userId: string;
  seq?: number;
}

/** What the tests use of the generated createPublisher(). */
export interface GeneratedPublisher {
  publish(type: string, data: unknown, opts?: object): Promise<string>;
  publishBatch(items: Array<{ type: string; data: unknown }>): Promise<string[]>;
  close(): Promise<void>;
}

export interface MatrixProject {
  /** Generates and builds the project, and creates its own publisher (dist/generated/index.js). */
  build(spec: string, handlers: Record<string, string>): Promise<void>;
  readonly project: Project;
  readonly publisher: GeneratedPublisher;
  publishOrder(data: OrderData): Promise<string>;
  /** The calls recorded so far by `consumer`. */
  lines(consumer: string): Line[];
  /** The calls recorded so far by `consumer` for the order `orderId`. */
  linesOf(consumer: string, orderId: string): Line[];
  /** Starts the built service with these consumers and waits until /readyz says ready. */
  start(consumers: string): Promise<RunningService>;
  /** Closes the publisher and removes the project (killing what start() started). */
  cleanup(): Promise<void>;
}

/** The generated project of a matrix test, on the broker `brokerEnv` points at, with PostgreSQL. */
export function matrixProject(brokerEnv: Record<string, string>): MatrixProject {
  let project: Project | undefined;
  let publisher: GeneratedPublisher | undefined;
  const env = { ...brokerEnv, DATABASE_URL, LOG_LEVEL: "warn" };
  const logFile = () => project!.path("handled.jsonl");
  const lines = (consumer: string): Line[] => recorded<Line>(logFile()).filter((line) => line.consumer === consumer);
  return {
    async build(spec, handlers) {
      project = await createProject({ spec, handlers });
      await project.build();
      const generated = (await import(project.path("dist/generated/index.js"))) as {
        createPublisher(options: { env: Record<string, string> }): GeneratedPublisher;
      };
      publisher = generated.createPublisher({ env });
    },
    get project() {
      return project!;
    },
    get publisher() {
      return publisher!;
    },
    publishOrder: (data) => publisher!.publish("order.created", data),
    lines,
    linesOf: (consumer, orderId) => lines(consumer).filter((l) => l.event?.data.orderId === orderId),
    start: (consumers) => startService(project!, { ...env, EVGEN_CONSUMERS: consumers, E2E_LOG: logFile() }),
    async cleanup() {
      await publisher?.close();
      await project?.cleanup();
    },
  };
}

/**
 * Three order.created events as the CloudEvents JS SDK makes them, for the mailer: binary without
 * dataversion or time, structured with a subject and an extension, structured without time. `send`
 * puts them on the broker in the given content mode (with the wire changes named).
 */
export async function sendSdkOrders(
  send: (event: CloudEvent<unknown>, mode: ContentMode, changes: WireChanges) => Promise<void>,
): Promise<{ orderId: string; ids: string[] }> {
  const orderId = randomUUID();
  const order = (id: string, attributes: Record<string, unknown> = {}) =>
    sdkEvent({
      id,
      type: "order.created",
      source: "/sdk-checkout",
      datacontenttype: "application/json",
      data: { orderId, userId: "sdk" },
      ...attributes,
    });
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  await send(order(ids[0]!), "binary", { omit: ["time"] });
  await send(order(ids[1]!, { subject: `orders/${orderId}`, tenant: "acme" }), "structured", {});
  await send(order(ids[2]!), "structured", { omit: ["time"] });
  return { orderId, ids };
}

/** What the mailer recorded of sendSdkOrders' events: each handled once, as the SDK made it. */
export function expectSdkOrdersHandled(
  matrix: MatrixProject,
  { orderId, ids }: { orderId: string; ids: string[] },
): void {
  const seen = matrix.linesOf("mailer", orderId).map((l) => l.event!);
  expect(seen.map((e) => e.id).sort()).toEqual([...ids].sort());
  const byId = new Map(seen.map((e) => [e.id, e]));
  for (const event of seen)
    expect(event).toMatchObject({ source: "/sdk-checkout", dataversion: 1, data: { orderId, userId: "sdk" } });
  expect(byId.get(ids[0]!)).not.toHaveProperty("time");
  expect(byId.get(ids[1]!)).toMatchObject({ subject: `orders/${orderId}`, extensions: { tenant: "acme" } });
  expect(byId.get(ids[2]!)).not.toHaveProperty("time");
}

/** Three attempts at one event, each at least `delayMs` after the one before. */
export function expectThreeAttempts(attempts: Line[], delayMs: number): void {
  expect(attempts.map((l) => l.attempt)).toEqual([1, 2, 3]);
  expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(delayMs);
  expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(delayMs);
}

/** Publishes 2000 order.created events of user "bulk" in one batch; resolves with their ids. */
export const publishBulk = (publisher: GeneratedPublisher): Promise<string[]> =>
  publisher.publishBatch(
    Array.from({ length: 2000 }, () => ({ type: "order.created", data: { orderId: randomUUID(), userId: "bulk" } })),
  );

/** How many times the counter has handled each of `ids` so far (ids it has not handled are absent). */
export const counterCounts = (matrix: MatrixProject, ids: string[]) => {
  const wanted = new Set(ids);
  return () => {
    const seen = new Map<string, number>();
    for (const line of matrix.lines("counter"))
      if (wanted.has(line.id!)) seen.set(line.id!, (seen.get(line.id!) ?? 0) + 1);
    return seen;
  };
};

/** When the bulk test stops the counter service (after how many handled events), and how. */
export const STOPS = [
  [400, "SIGKILL"],
  [1000, "SIGKILL"],
  [1500, "SIGTERM"],
] as const;

/**
 * Runs the counter consumer through STOPS: each run is stopped as it says once `counted()` reached
 * its mark, and must end as that signal makes it end, before every event was counted. Then one more
 * run until all `total` are counted: that run is returned, still going.
 */
export async function stopMidStreamThenFinish(
  matrix: MatrixProject,
  counted: () => number,
  total: number,
): Promise<RunningService> {
  for (const [stopAfter, signal] of STOPS) {
    const { child } = await matrix.start("counter");
    await waitFor(
      () => counted() >= stopAfter,
      120_000,
      () => `${stopAfter} events (${counted()})`,
    );
    expect(await stopWith(child, signal)).toEqual(exitOn(signal));
    expect(counted()).toBeLessThan(total);
  }
  const last = await matrix.start("counter");
  await waitFor(
    () => counted() === total,
    120_000,
    () => `every event (${counted()})`,
  );
  return last;
}

/** SIGTERMs the service: it exits with code 0 within 15 s. */
export async function expectGracefulStop(service: RunningService): Promise<void> {
  const signalledAt = Date.now();
  expect(await stopWith(service.child, "SIGTERM")).toEqual({ code: 0, signal: null });
  expect(Date.now() - signalledAt).toBeLessThan(15_000);
}

/** How a service process ends on `signal`: killed by SIGKILL, exit code 0 on SIGTERM. */
export const exitOn = (signal: NodeJS.Signals) =>
  signal === "SIGKILL" ? { code: null, signal } : { code: 0, signal: null };

/** The three events the filter test publishes: to user bob, to user vip, and one that notifies. */
const vipSkips = async (service: RunningService, reason: string) =>
  metricValue(await metrics(service), "evgen_events_skipped_total", { consumer: "vip", reason });

/**
 * Orders for the vip consumer, whose filter wants userId "vip" and 2 <= seq < 10 and whose handler
 * skips seq 7, and one the mailer turns into a notification. `vipOrder` is the one the vip handler
 * records; `otherOrders` fail the filter; `luckyOrder` passes it and is skipped by the handler.
 */
export async function publishFilterOrders(matrix: MatrixProject, service: RunningService) {
  const filteredBefore = await vipSkips(service, "filter");
  const others = [
    { orderId: randomUUID(), userId: "bob", seq: 5 },
    { orderId: randomUUID(), userId: "vip", seq: 1 },
    { orderId: randomUUID(), userId: "vip", seq: 10 },
    { orderId: randomUUID(), userId: "vip" },
  ];
  for (const order of others) await matrix.publishOrder(order);
  const luckyOrder = randomUUID();
  await matrix.publishOrder({ orderId: luckyOrder, userId: "vip", seq: 7 });
  const notifyOrder = randomUUID();
  await matrix.publishOrder({ orderId: notifyOrder, userId: "notify" });
  const vipOrder = randomUUID();
  await matrix.publishOrder({ orderId: vipOrder, userId: "vip", seq: 2 });
  return { vipOrder, otherOrders: [...others.map((o) => o.orderId), luckyOrder], notifyOrder, filteredBefore };
}

/**
 * The vip consumer counted the four orders its filter refuses and the one its handler skipped
 * (with the handler's reason), and recorded none of them; the notifier got the mailer's notification.
 */
export async function expectFilteredAndNotified(
  matrix: MatrixProject,
  service: RunningService,
  orders: Awaited<ReturnType<typeof publishFilterOrders>>,
): Promise<void> {
  await waitFor(async () => (await vipSkips(service, "filter")) >= orders.filteredBefore + 4, 30_000, "4 filtered");
  await waitFor(async () => (await vipSkips(service, "lucky-seven")) === 1, 30_000, "the handler's skip");
  for (const orderId of orders.otherOrders) expect(matrix.linesOf("vip", orderId)).toEqual([]);
  expect(matrix.linesOf("notifier", orders.notifyOrder)[0]!.event).toMatchObject({
    type: "notification.sent",
    data: { orderId: orders.notifyOrder, channel: "email" },
  });
}

/** Sends `signal` and resolves with how the process ended. */
export async function stopWith(child: ChildProcess, signal: NodeJS.Signals) {
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill(signal);
  const [code, by] = await exit;
  return { code, signal: by };
}
