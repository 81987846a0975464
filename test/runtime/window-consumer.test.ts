// Window consumers on the in-memory transport: typed aggregates (checked by `tsc --noEmit`, each
// expected error must be one), one summary per key and window with its derived id, repeats
// added once, late events counted and not added, a summary its schema refuses logged and counted;
// and lifecycle hooks: onStart publishes through ctx (its emits only), onStop runs at stop.
import { describe, expect, it } from "vitest";
import { createHarness } from "../../templates/runtime/memory/harness.js";
import type { EventOf } from "../../templates/runtime/core/handlers.js";
import { startHooks, type StartContext } from "../../templates/runtime/core/lifecycle.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { createMetrics } from "../../templates/runtime/core/metrics.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { WindowDef } from "../../templates/runtime/core/types.js";
import {
  summaryId,
  windowBounds,
  type Aggregate,
  type AnyAggregate,
  type WindowState,
} from "../../templates/runtime/core/window.js";
import { startWindowCloser, windowHandlers } from "../../templates/runtime/core/window-consumer.js";
import { createMemoryWindowStore } from "../../templates/runtime/core/window-store.js";
import { ORDER_ID, order, orderAttributes, shopService, type Payloads, type Versions } from "./fixtures.js";

type TotalsAggregate<State extends WindowState = WindowState> = Aggregate<
  State,
  EventOf<Versions, "order.created">,
  Payloads["notification.sent"]
>;

/** What a generated window consumer module exports. */
function defineAggregate<State extends WindowState>(aggregate: TotalsAggregate<State>): TotalsAggregate<State> {
  return aggregate;
}

const totals = defineAggregate({
  initial: () => ({ orders: 0, total: 0 }),
  add: (state, event) => ({ orders: state.orders + 1, total: state.total + event.data.total }),
  emit: (state, window) => ({ orderId: ORDER_ID, channel: `${window.key}:${state.orders}:${state.total}` }),
});

defineAggregate({
  initial: () => ({ n: 0 }),
  // @ts-expect-error add must return the state's type
  add: (state) => ({ m: state.n }),
  emit: () => ({ orderId: ORDER_ID, channel: "x" }),
});
defineAggregate({
  initial: () => ({ n: 0 }),
  add: (state, event) => {
    // @ts-expect-error total is a number
    const total: string = event.data.total;
    void total;
    return state;
  },
  // @ts-expect-error the summary needs a channel
  emit: () => ({ orderId: ORDER_ID }),
});
defineAggregate({
  // @ts-expect-error the state is stored as JSON: a Date is no JSON value
  initial: () => ({ at: new Date() }),
  add: (state) => state,
  emit: () => ({ orderId: ORDER_ID, channel: "x" }),
});

const WINDOW: WindowDef = {
  sizeMs: 60_000,
  graceMs: 5_000,
  by: "data.userId",
  store: "memory",
  emits: "notification.sent",
};
const windowed = () => shopService({ totals: { on: ["order.created"], emits: ["notification.sent"], window: WINDOW } });

describe("a window consumer", () => {
  it("publishes one summary per key and window, with the id derived from them, adding a repeat once", async () => {
    const service = windowed();
    const harness = createHarness<Payloads>({ service, handlers: { totals: totals as AnyAggregate } });
    try {
      const repeated = await harness.publish("order.created", order({ userId: "ada", total: 5 }));
      await harness.publish("order.created", order({ userId: "ada", total: 7 }));
      await harness.publish("order.created", order({ userId: "bob", total: 1 }));
      await harness.idle();
      // The same event again (a redelivery): the window store knows it.
      const start = harness.published("order.created")[0]!.time;
      const topic = service.events["order.created"]!.topic;
      const body = Buffer.from(JSON.stringify(order({ userId: "ada", total: 5 })));
      await harness.transport.publish([{ attributes: orderAttributes({ id: repeated, time: start }), topic, body }]);
      await harness.idle();
      expect(await harness.closeWindows()).toBe(2);
      const summaries = harness.published("notification.sent");
      expect(summaries.map((s) => s.data).sort()).toEqual([
        { orderId: ORDER_ID, channel: "ada:2:12" },
        { orderId: ORDER_ID, channel: "bob:1:1" },
      ]);
      const windowStart = windowBounds(Date.parse(start), WINDOW.sizeMs, WINDOW.graceMs).start;
      expect(summaries.map((s) => s.id).sort()).toEqual(
        ["ada", "bob"].map((key) => summaryId("shop.totals", key, windowStart)).sort(),
      );
      expect(await harness.closeWindows()).toBe(0);
    } finally {
      await harness.close();
    }
  });

  it("counts and logs a late event without adding it, and a summary its schema refuses without publishing it", async () => {
    const service = windowed();
    const consumer = service.consumers.totals! as typeof service.consumers.totals & { window: WindowDef };
    const transport = createMemoryTransport({ service, log: silentLogger, timeScale: 0 });
    const publisher = createPublisher<Record<string, unknown>>(service, transport);
    const metrics = createMetrics({ defaultMetrics: false });
    let clock = Date.parse("2026-01-01T12:00:30Z");
    const broken = defineAggregate({
      initial: () => ({ n: 0 }),
      add: (state) => ({ n: state.n + 1 }),
      // What a cast can smuggle past the types: the publisher's schema check still refuses it.
      emit: (state) => ({ orderId: "not a uuid", channel: String(state.n) }),
    }) as AnyAggregate;
    const options = {
      consumer,
      aggregate: broken,
      store: createMemoryWindowStore(),
      publisher,
      log: silentLogger,
      metrics,
      now: () => clock,
    };
    const handle = createPipeline({
      service,
      consumer,
      handlers: windowHandlers(options),
      publisher,
      log: silentLogger,
      metrics,
    });
    const closer = startWindowCloser({ ...options, tickMs: 2 ** 31 - 1 });
    await transport.subscribe(consumer, handle);
    try {
      const at = (time: string, id: string) => ({
        attributes: orderAttributes({ id, time }),
        topic: service.events["order.created"]!.topic,
        body: Buffer.from(JSON.stringify(order({ userId: "ada" }))),
      });
      await transport.publish([at("2026-01-01T12:00:10Z", "in-time"), at("2026-01-01T11:58:59Z", "late")]);
      await transport.idle();
      const text = () => metrics.registry.metrics();
      expect(await text()).toContain('evgen_window_events_total{consumer="totals",outcome="added"} 1');
      expect(await text()).toContain('evgen_window_events_total{consumer="totals",outcome="late"} 1');

      expect(await closer.closeDue()).toBe(0); // 12:00:30: the window 12:00-12:01 is open
      clock = Date.parse("2026-01-01T12:01:05Z"); // its end plus the grace
      expect(await closer.closeDue()).toBe(0);
      expect(await text()).toContain('evgen_windows_closed_total{consumer="totals",outcome="failed"} 1');
      expect(transport.published().filter((m) => m.attributes.type === "notification.sent")).toEqual([]);
    } finally {
      await closer.stop();
      await transport.close();
    }
  });
});

describe("lifecycle hooks", () => {
  it("give onStart a ctx that publishes the consumer's emits, and run onStop when stopped", async () => {
    const service = shopService({ mailer: { on: ["order.created"], emits: ["notification.sent"] } });
    const transport = createMemoryTransport({ service, log: silentLogger, timeScale: 0 });
    const publisher = createPublisher<Record<string, unknown>>(service, transport);
    const seen: string[] = [];
    let signal: AbortSignal | undefined;
    const module = {
      default: {},
      async onStart(ctx: StartContext<Payloads, "notification.sent">) {
        signal = ctx.signal;
        await ctx.publish("notification.sent", { orderId: ORDER_ID, channel: "boot" }, { id: "boot-1" });
        // The service-level publisher takes any of the service's events, typed.
        await ctx.publisher.publish("order.created", order(), { id: "boot-2" });
        // @ts-expect-error total must be a number
        await expect(ctx.publisher.publish("order.created", { ...order(), total: "1" })).rejects.toThrow(/total/);
        // @ts-expect-error order.created is not among the consumer's emits
        await expect(ctx.publish("order.created", order())).rejects.toThrow(/does not emit order.created/);
        seen.push(`started ${ctx.consumer}`);
      },
      onStop() {
        seen.push(`stopped, aborted: ${signal?.aborted}`);
      },
    };
    const hooks = await startHooks(service.consumers.mailer!, module, publisher, silentLogger);
    expect(transport.published().map((m) => [m.attributes.id, JSON.parse(m.body.toString())])).toEqual([
      ["boot-1", { orderId: ORDER_ID, channel: "boot" }],
      ["boot-2", { ...order(), currency: "EUR" }],
    ]);
    await expect(
      startHooks(
        service.consumers.mailer!,
        { default: {}, onStart: () => new Promise(() => {}) },
        publisher,
        silentLogger,
        50,
      ),
    ).rejects.toThrow(/onStart of mailer did not finish within 50 ms/);
    await hooks.stop();
    expect(seen).toEqual(["started mailer", "stopped, aborted: true"]);
    await transport.close();
  });
});
