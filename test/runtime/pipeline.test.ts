// The pipeline's decisions for single deliveries, as a transport receives them.
import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../templates/runtime/core/errors.js";
import type { ConsumerHandlers } from "../../templates/runtime/core/handlers.js";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { createMetrics } from "../../templates/runtime/core/metrics.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { Delivery } from "../../templates/runtime/core/types.js";
import { ORDER_ID, order, orderAttributes, recordingLogger, shopService, type ConsumerSpec } from "./fixtures.js";

function pipelineFor(spec: ConsumerSpec, handlers: ConsumerHandlers) {
  const service = shopService({ worker: spec });
  const { log, lines } = recordingLogger();
  const metrics = createMetrics({ defaultMetrics: false });
  const transport = createMemoryTransport({ service, log });
  const handle = createPipeline({
    service,
    consumer: service.consumers.worker!,
    handlers,
    publisher: createPublisher(service, transport),
    log,
    metrics,
  });
  return { handle, lines, metrics };
}

function delivery(overrides: Partial<Delivery> = {}, attributes: Record<string, string> = {}): Delivery {
  return {
    attributes: { ...orderAttributes(), ...attributes },
    body: Buffer.from(JSON.stringify(order())),
    attempt: 1,
    origin: "orders[0]@7",
    ...overrides,
  };
}

const failing = (error: unknown): ConsumerHandlers => ({
  "order.created": () => {
    throw error;
  },
});

describe("pipeline decisions", () => {
  it("retries with the delay configured for the attempt, then dead-letters", async () => {
    const { handle } = pipelineFor(
      { on: ["order.created"], retry: { delaysMs: [100, 200, 400] } },
      failing(new Error("no")),
    );
    const decisions = await Promise.all([1, 2, 3, 4].map((attempt) => handle(delivery({ attempt }))));
    expect(decisions.map((d) => (d.action === "retry" ? d.delayMs : d.action))).toEqual([100, 200, 400, "dead-letter"]);
    expect(decisions[3]).toMatchObject({
      failure: { attempt: 4, kind: "error", consumer: "worker" },
    });
  });

  it("acknowledges events of a type the consumer does not handle (shared topic) as skipped", async () => {
    const { handle, metrics } = pipelineFor({ on: ["order.created"] }, failing(new Error("must not run")));
    const decision = await handle(delivery({ body: Buffer.from("not even json") }, { type: "order.shipped" }));
    expect(decision).toEqual({ action: "ack", outcome: "skipped" });
    expect(await metrics.registry.getSingleMetricAsString("evgen_events_skipped_total")).toContain(
      'evgen_events_skipped_total{type="order.shipped",consumer="worker",reason="unhandled-type"} 1',
    );
  });

  it("counts forged types under one label, however many there are", async () => {
    const { handle, metrics } = pipelineFor({ on: ["order.created"] }, failing(new Error("must not run")));
    for (let i = 0; i < 50; i++) {
      await handle(delivery({}, { type: `forged.${i}` })); // shared topic: skipped
      const decision = await handle(delivery({ dedicated: true }, { type: `forged.${i}` })); // own queue: invalid
      if (decision.action === "dead-letter") decision.confirmed?.(); // as the transport does, once written
    }
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/forged/);
    expect(text).toContain('evgen_events_skipped_total{type="unknown",consumer="worker",reason="unhandled-type"} 50');
    expect(text).toContain('evgen_events_dead_lettered_total{type="unknown",consumer="worker",kind="invalid"} 50');
  });

  it("finds a type the consumer does not handle invalid where only its own events arrive", async () => {
    const { handle } = pipelineFor({ on: ["order.created"] }, failing(new Error("must not run")));
    expect(await handle(delivery({ dedicated: true }, { type: "order.shipped" }))).toMatchObject({
      action: "dead-letter",
      failure: { kind: "invalid", message: 'event type "order.shipped" is not one worker handles (order.created)' },
    });
  });

  it("dead-letters what the transport found invalid, and a body that is not UTF-8", async () => {
    const { handle } = pipelineFor({ on: ["order.created"] }, failing(new Error("must not run")));
    expect(await handle(delivery({ invalid: "header x is a table" }))).toMatchObject({
      action: "dead-letter",
      failure: { kind: "invalid", message: "header x is a table" },
    });
    const latin1 = Buffer.from(JSON.stringify(order({ userId: "Jos\u00e9" })), "latin1");
    expect(await handle(delivery({ body: latin1 }))).toMatchObject({
      action: "dead-letter",
      failure: { kind: "invalid", message: "body is not UTF-8" },
    });
  });

  it("hands the handler a well-formed traceparent only", async () => {
    const seen: Array<string | undefined> = [];
    const { handle } = pipelineFor(
      { on: ["order.created"] },
      { "order.created": (event) => void seen.push(event.traceparent) },
    );
    const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await handle(delivery({}, { traceparent: valid }));
    await handle(delivery({}, { traceparent: "00-nope\r\nx-injected: 1" }));
    expect(seen).toEqual([valid, undefined]);
  });

  it("accepts every declared version of an event and tells the handler which one arrived", async () => {
    const versions: number[] = [];
    const { handle } = pipelineFor(
      { on: ["order.shipped"] },
      { "order.shipped": (event) => void versions.push(event.dataversion) },
    );
    const body = Buffer.from(JSON.stringify({ orderId: ORDER_ID, carrier: "dhl" }));
    for (const dataversion of ["1", "2"]) {
      expect(await handle(delivery({ body }, { type: "order.shipped", dataversion }))).toEqual({
        action: "ack",
        outcome: "handled",
      });
    }
    expect(versions).toEqual([1, 2]);
  });

  it("keeps fields the schema does not know (forward compatibility)", async () => {
    let data: unknown;
    const { handle } = pipelineFor({ on: ["order.created"] }, { "order.created": (event) => void (data = event.data) });
    await handle(delivery({ body: Buffer.from(JSON.stringify({ ...order(), giftWrap: true })) }));
    expect(data).toMatchObject({ giftWrap: true });
  });

  it("truncates failure messages to 1 KiB of UTF-8", async () => {
    const { handle } = pipelineFor(
      { on: ["order.created"], retry: { attempts: 1, delaysMs: [] } },
      failing(new NonRetryableError("é".repeat(2000))),
    );
    const decision = await handle(delivery());
    if (decision.action !== "dead-letter") throw new Error(`unexpected ${decision.action}`);
    expect(Buffer.byteLength(decision.failure.message)).toBeLessThanOrEqual(1024);
    expect(decision.failure.message).toMatch(/^NonRetryableError: é+…$/);
  });

  it("never throws, even when a handler throws something that is not an Error", async () => {
    const { handle } = pipelineFor({ on: ["order.created"], retry: { attempts: 1, delaysMs: [] } }, failing(undefined));
    expect(await handle(delivery())).toMatchObject({
      action: "dead-letter",
      failure: { kind: "error", message: "undefined" },
    });
  });

  it("logs with the event id, type, consumer and attempt", async () => {
    const { handle, lines } = pipelineFor(
      { on: ["order.created"] },
      {
        "order.created": (_event, ctx) => ctx.log.info({ step: "sending" }, "hello"),
      },
    );
    await handle(delivery({ attempt: 2 }));
    expect(lines.find((l) => l.msg === "hello")?.obj).toEqual({
      consumer: "worker",
      eventId: "e-1",
      eventType: "order.created",
      attempt: 2,
      step: "sending",
    });
  });

  it("decides at once, without a promise, when there is no store and the handler returns without one", () => {
    // The per-event path of a busy consumer (npm run bench:kafka): no promise per event.
    const { handle } = pipelineFor({ on: ["order.created"] }, { "order.created": () => undefined });
    expect(handle(delivery())).toEqual({ action: "ack", outcome: "handled" });
    expect(handle(delivery({}, { type: "order.shipped" }))).toEqual({ action: "ack", outcome: "skipped" });
    const failed = pipelineFor({ on: ["order.created"] }, failing(new Error("no"))).handle(delivery());
    expect(failed).not.toBeInstanceOf(Promise);
    expect(failed).toMatchObject({ action: "retry" });
  });

  it("refuses to start without a handler for every event of the consumer", () => {
    expect(() => pipelineFor({ on: ["order.created", "order.shipped"] }, failing(new Error()))).toThrow(
      "consumer worker has no handler for order.shipped",
    );
  });
});
