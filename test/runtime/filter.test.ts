// Filter conditions as the pipeline applies them (each path's conditions must all hold), and
// handlers that skip an event themselves with ctx.skip(reason).
import { describe, expect, it } from "vitest";
import type { FilterDef } from "../../templates/runtime/core/filter.js";
import type { ConsumerHandlers } from "../../templates/runtime/core/handlers.js";
import { createHarness } from "../../templates/runtime/memory/harness.js";
import { createMemoryStore } from "../../templates/runtime/core/idempotency.js";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { createMetrics } from "../../templates/runtime/core/metrics.js";
import { MAX_SKIP_REASONS, createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { Delivery } from "../../templates/runtime/core/types.js";
import { order, orderAttributes, recordingLogger, shopService, type ConsumerSpec, type Payloads } from "./fixtures.js";

function pipelineFor(spec: ConsumerSpec, handlers: ConsumerHandlers, idempotent = false) {
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
    ...(idempotent ? { idempotency: createMemoryStore() } : {}),
  });
  return { handle, lines, metrics };
}

let ids = 0;
function delivery(data: object, attributes: Record<string, string> = {}): Delivery {
  return {
    attributes: { ...orderAttributes({ id: `e-${++ids}` }), ...attributes },
    body: Buffer.from(JSON.stringify(data)),
    attempt: 1,
    origin: "orders[0]@7",
  };
}

const cases: Array<{
  name: string;
  filter: FilterDef;
  data?: object;
  attributes?: Record<string, string>;
  matches: boolean;
}> = [
  {
    name: "one of",
    filter: { path: "data.channel", values: ["sms", "email"] },
    data: order({ channel: "sms" }),
    matches: true,
  },
  { name: "one of, absent", filter: { path: "data.channel", values: ["sms"] }, data: order(), matches: false },
  {
    name: "not, equal",
    filter: { path: "data.channel", not: ["sms"] },
    data: order({ channel: "sms" }),
    matches: false,
  },
  {
    name: "not, other",
    filter: { path: "data.channel", not: ["sms"] },
    data: order({ channel: "email" }),
    matches: true,
  },
  { name: "not, absent", filter: { path: "data.channel", not: ["sms"] }, data: order(), matches: true },
  {
    name: "exists, present",
    filter: { path: "data.channel", exists: true },
    data: order({ channel: "sms" }),
    matches: true,
  },
  { name: "exists, absent", filter: { path: "data.channel", exists: true }, data: order(), matches: false },
  { name: "exists false, absent", filter: { path: "data.channel", exists: false }, data: order(), matches: true },
  {
    name: "exists false, null",
    filter: { path: "data.note", exists: false },
    data: { ...order(), note: null },
    matches: true,
  },
  {
    name: "exists false, present",
    filter: { path: "data.channel", exists: false },
    data: order({ channel: "sms" }),
    matches: false,
  },
  { name: "gte, equal", filter: { path: "data.total", gte: 42.5 }, data: order(), matches: true },
  { name: "gt, equal", filter: { path: "data.total", gt: 42.5 }, data: order(), matches: false },
  {
    name: "range, inside",
    filter: { path: "data.total", gte: 10, lt: 100 },
    data: order({ total: 99.99 }),
    matches: true,
  },
  {
    name: "range, at the upper bound",
    filter: { path: "data.total", gte: 10, lt: 100 },
    data: order({ total: 100 }),
    matches: false,
  },
  { name: "lte, below", filter: { path: "data.total", lte: 5 }, data: order({ total: 0 }), matches: true },
  {
    name: "number bound on a string",
    filter: { path: "data.userId", gt: 1 },
    data: order({ userId: "5" }),
    matches: false,
  },
  { name: "bound on an absent field", filter: { path: "data.rank", gt: 1 }, data: order(), matches: false },
  {
    name: "date-time bound, other offset, later",
    filter: { path: "data.at", gt: "2025-01-01T00:00:00Z" },
    data: { ...order(), at: "2025-01-01T01:00:00+00:30" },
    matches: true,
  },
  {
    name: "date-time bound, other offset, earlier",
    filter: { path: "data.at", gt: "2025-01-01T00:00:00Z" },
    data: { ...order(), at: "2025-01-01T00:59:59+01:00" },
    matches: false,
  },
  {
    name: "date bound",
    filter: { path: "data.day", lt: "2025-02-01" },
    data: { ...order(), day: "2025-01-31" },
    matches: true,
  },
  {
    name: "contains",
    filter: { path: "data.tags", contains: "vip" },
    data: { ...order(), tags: ["new", "vip"] },
    matches: true,
  },
  {
    name: "contains, missing",
    filter: { path: "data.tags", contains: "vip" },
    data: { ...order(), tags: ["new"] },
    matches: false,
  },
  {
    name: "contains, not a list",
    filter: { path: "data.tags", contains: "vip" },
    data: { ...order(), tags: "vip" },
    matches: false,
  },
  { name: "envelope time bound", filter: { path: "time", gte: "2025-01-01T00:00:00Z" }, data: order(), matches: true },
  { name: "dataversion, equal", filter: { path: "dataversion", values: ["1"] }, data: order(), matches: true },
  { name: "dataversion, bound", filter: { path: "dataversion", gte: 2 }, data: order(), matches: false },
  {
    name: "nested path",
    filter: { path: "data.address.city", values: ["Lyon"] },
    data: { ...order(), address: { city: "Lyon" } },
    matches: true,
  },
  {
    name: "path through a scalar",
    filter: { path: "data.userId.length", exists: true },
    data: order(),
    matches: false,
  },
];

describe("filter conditions", () => {
  it.each(cases)("$name", async ({ filter, data, attributes, matches }) => {
    let calls = 0;
    const { handle, metrics } = pipelineFor(
      { on: ["order.created"], filter: [filter] },
      {
        "order.created": () => void calls++,
      },
    );
    const decision = await handle(delivery(data ?? order(), attributes));
    expect(decision).toEqual({ action: "ack", outcome: matches ? "handled" : "skipped" });
    expect(calls).toBe(matches ? 1 : 0);
    const skipped = await metrics.registry.getSingleMetricAsString("evgen_events_skipped_total");
    expect(skipped.includes('reason="filter"} 1')).toBe(!matches);
  });

  it("needs every path to match", async () => {
    const filter: FilterDef[] = [
      { path: "data.channel", values: ["sms"] },
      { path: "data.total", gt: 100 },
    ];
    const { handle } = pipelineFor({ on: ["order.created"], filter }, { "order.created": () => {} });
    expect(await handle(delivery(order({ channel: "sms", total: 101 })))).toMatchObject({ outcome: "handled" });
    expect(await handle(delivery(order({ channel: "sms", total: 100 })))).toMatchObject({ outcome: "skipped" });
    expect(await handle(delivery(order({ channel: "email", total: 101 })))).toMatchObject({ outcome: "skipped" });
  });
});

describe("ctx.skip", () => {
  it("acknowledges the event as skipped, counted and logged with its reason, and remembered as processed", async () => {
    let calls = 0;
    const optedOut = new Set(["u-2"]);
    const { handle, metrics, lines } = pipelineFor(
      { on: ["order.created"], idempotency: "memory" },
      {
        "order.created": async (event, ctx) => {
          calls++;
          const { userId } = event.data as { userId: string };
          if (optedOut.has(userId)) return ctx.skip("opted-out");
        },
      },
      true,
    );
    const skippedOne = delivery(order({ userId: "u-2" }));
    expect(await handle(skippedOne)).toEqual({ action: "ack", outcome: "skipped" });
    expect(await handle(delivery(order({ userId: "u-1" })))).toEqual({ action: "ack", outcome: "handled" });
    // Redelivered: the idempotency store knows it was decided.
    expect(await handle(skippedOne)).toEqual({ action: "ack", outcome: "duplicate" });
    expect(calls).toBe(2);

    const skipped = await metrics.registry.getSingleMetricAsString("evgen_events_skipped_total");
    expect(skipped).toContain(
      'evgen_events_skipped_total{type="order.created",consumer="worker",reason="opted-out"} 1',
    );
    const handled = await metrics.registry.getSingleMetricAsString("evgen_events_handled_total");
    expect(handled).toContain('evgen_events_handled_total{type="order.created",consumer="worker"} 1');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: "event skipped by its handler",
        obj: expect.objectContaining({ reason: "opted-out", consumer: "worker" }),
      }),
    );
  });

  it("labels at most MAX_SKIP_REASONS distinct well-formed reasons, the rest as other", async () => {
    const { handle, metrics, lines } = pipelineFor(
      { on: ["order.created"] },
      {
        "order.created": (event, ctx) => ctx.skip((event.data as { userId: string }).userId),
      },
    );
    const reasons = [
      ...Array.from({ length: MAX_SKIP_REASONS + 5 }, (_, i) => `reason-${i}`),
      "Not Kebab",
      "filter",
      "x".repeat(41),
    ];
    for (const reason of reasons) await handle(delivery(order({ userId: reason })));
    const text = await metrics.registry.getSingleMetricAsString("evgen_events_skipped_total");
    const labels = [...text.matchAll(/reason="([^"]+)"\} (\d+)/g)].map(([, reason, count]) => [reason, Number(count)]);
    expect(labels).toHaveLength(MAX_SKIP_REASONS + 1);
    expect(labels).toContainEqual(["other", 8]);
    expect(labels).toContainEqual(["reason-0", 1]);
    // The log keeps every reason as the handler gave it.
    expect(lines.filter((l) => l.msg === "event skipped by its handler").map((l) => l.obj.reason)).toEqual(reasons);
  });

  it("is recorded by the harness as skipped, with its reason, and not as handled", async () => {
    const harness = createHarness<Payloads>({
      service: shopService({ mailer: { on: ["order.created"] } }),
      handlers: {
        mailer: {
          "order.created": (event, ctx) => {
            if ((event.data as { userId: string }).userId === "u-2") ctx.skip("opted-out");
          },
        },
      },
    });
    try {
      const skippedId = await harness.publish("order.created", order({ userId: "u-2" }));
      await harness.publish("order.created", order({ userId: "u-1" }));
      await harness.idle();
      expect(harness.skipped("mailer").map((s) => [s.event.id, s.reason, s.attempt])).toEqual([
        [skippedId, "opted-out", 1],
      ]);
      expect(harness.handled("mailer").map((h) => h.event.id)).not.toContain(skippedId);
      expect(harness.handled("mailer")).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });

  it("counts a handler that skips and then fails as failed", async () => {
    const { handle } = pipelineFor(
      { on: ["order.created"], retry: { delaysMs: [10] } },
      {
        "order.created": (_event, ctx) => {
          ctx.skip("opted-out");
          throw new Error("store down");
        },
      },
    );
    expect(await handle(delivery(order()))).toMatchObject({ action: "retry" });
  });
});
