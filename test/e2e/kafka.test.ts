// A generated Kafka project, built and run as a process against the real broker, through the
// failure matrix of issue 3: round trip, retries after their delays, dead letters, invalid input,
// blocking order, filter, ctx.publish, SIGKILL and SIGTERM with PostgreSQL idempotency.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasKafka, hasPostgres, KAFKA_BROKERS, uniqueName } from "../support/brokers.js";
import { KAFKA_CLIENTS, type KafkaClientName } from "../support/kafka-clients.js";
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
  stopWith,
} from "../support/failure-matrix.js";
import { sdkKafkaRecord } from "../support/sdk-events.js";
import { notificationSent, specText } from "../support/spec.js";
import { produceRaw, readTopic, waitFor } from "../runtime/kafka-support.js";
import { RECORDER, type RunningService } from "./service-support.js";

const kafkaSpec = (service: string, client: KafkaClientName) =>
  specText({
    service,
    broker: "kafka",
    kafka: { client },
    events: {
      "order.created": {
        key: "orderId",
        topic: `${service}.orders`,
        schema: { orderId: "uuid", userId: "string", "seq?": "integer" },
      },
      "notification.sent": notificationSent({ topic: `${service}.notifications` }),
    },
    consumers: {
      ...MATRIX_CONSUMERS,
      ledger: { on: ["order.created"], retry: { attempts: 3, delay: "200ms", backoff: "fixed", mode: "blocking" } },
    },
  });

const HANDLERS: Record<string, string> = {
  ...MATRIX_HANDLERS,
  ledger: `${RECORDER}
import { defineHandlers } from "../generated/consumers/ledger.js";
export default defineHandlers({
  "order.created": (event, ctx) => {
    if (event.data.userId === "ledger-flaky" && event.data.seq === 1 && ctx.attempt < 3) throw new Error("not yet");
    record({ consumer: "ledger", event, attempt: ctx.attempt });
  },
});`,
};

const ready = await Promise.all([hasKafka(), hasPostgres()]);

describe.skipIf(!ready.every(Boolean)).each(KAFKA_CLIENTS)("generated Kafka service on $client", ({ client }) => {
  const service = uniqueName("e2e");
  const matrix = matrixProject({ KAFKA_BROKERS: KAFKA_BROKERS.join(",") });
  const { linesOf, publishOrder, start } = matrix;
  let service1: RunningService;

  beforeAll(async () => {
    await matrix.build(kafkaSpec(service, client), HANDLERS);
    service1 = await start("mailer,notifier,vip,ledger");
  }, 240_000);

  afterAll(async () => {
    await matrix.cleanup();
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
      dataschema: "urn:evgen:order.created:v1",
      key: orderId,
      data: { orderId, userId: "alice", seq: 1 },
    });
  });

  it("handles a handler failing twice on attempt 3, no earlier than the delays", async () => {
    const orderId = randomUUID();
    await publishOrder({ orderId, userId: "flaky" });
    await waitFor(() => linesOf("mailer", orderId).length === 3, 30_000, "three attempts");
    expectThreeAttempts(linesOf("mailer", orderId), 300);
  });

  it("dead-letters an always failing event after exactly 3 deliveries with every failure header", async () => {
    const orderId = randomUUID();
    const id = await publishOrder({ orderId, userId: "doomed" });
    const dlq = (
      await readTopic(`${service}.mailer.dlq`, (records) => records.some((r) => r.headers.ce_id === id), 1000)
    ).filter((r) => r.headers.ce_id === id);
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
    const headers = (id: string) => ({ ...foreignCloudEvent("ce_", id), "content-type": "application/json" });
    const notJson = randomUUID();
    const invalid = randomUUID();
    await produceRaw(`${service}.orders`, [
      { key: orderId, value: "{not json", headers: headers(notJson) },
      { key: orderId, value: JSON.stringify({ orderId: "nope" }), headers: headers(invalid) },
    ]);
    await publishOrder({ orderId, userId: "after" });

    await waitFor(
      () => linesOf("mailer", orderId).some((l) => l.event!.data.userId === "after"),
      30_000,
      "the later event",
    );
    const ours = (r: { headers: Record<string, string> }) => [bannedId, notJson, invalid].includes(r.headers.ce_id!);
    const dlq = (await readTopic(`${service}.mailer.dlq`, (records) => records.filter(ours).length >= 3, 500)).filter(
      ours,
    );
    const kinds = Object.fromEntries(dlq.map((r) => [r.headers.ce_id, r.headers["x-evgen-error-kind"]]));
    expect(kinds).toEqual({ [bannedId]: "non-retryable", [notJson]: "invalid", [invalid]: "invalid" });
    expect(linesOf("mailer", orderId).filter((l) => l.event!.data.userId === "banned")).toHaveLength(1);
  });

  it("handles the CloudEvents SDK's binary and structured events, without dataversion or time", async () => {
    const sent = await sendSdkOrders(async (event, mode, changes) => {
      await produceRaw(`${service}.orders`, [sdkKafkaRecord(event, mode, changes)]);
    });
    await waitFor(() => linesOf("mailer", sent.orderId).length >= 3, 30_000, "the mailer to handle the SDK's events");
    expectSdkOrdersHandled(matrix, sent);
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
    const orders = await publishFilterOrders(matrix, service1);

    await waitFor(() => linesOf("vip", orders.vipOrder).length === 1, 30_000, "the vip event");
    await waitFor(() => linesOf("notifier", orders.notifyOrder).length === 1, 30_000, "the notification");
    await expectFilteredAndNotified(matrix, service1, orders);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    await expectGracefulStop(service1);
  });

  it(
    "loses nothing through two SIGKILLs and a SIGTERM mid-stream; PostgreSQL idempotency stops repeats",
    { timeout: 300_000 },
    async () => {
      const ids = await publishBulk(matrix.publisher);
      const counts = counterCounts(matrix, ids);

      const last = await stopMidStreamThenFinish(matrix, () => counts().size, ids.length);
      await stopWith(last.child, "SIGTERM");

      // A kill between a handler's end and its idempotency mark repeats that one event: at most one per kill.
      expect([...counts().values()].filter((n) => n > 1).length).toBeLessThanOrEqual(2);
    },
  );
});
