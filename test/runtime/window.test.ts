// Tumbling-window math, and the window stores (memory, and Redis and PostgreSQL for real): adds
// are counted once and atomic across instances, a claimed window takes no event, one claim at a
// time until its lease ends, a finished window stays closed, and two instances closing the same
// windows at once publish each summary once.
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import { summaryId, windowBounds, windowInfo, windowKey } from "../../templates/runtime/core/window.js";
import { startWindowCloser } from "../../templates/runtime/core/window-consumer.js";
import {
  createMemoryWindowStore,
  type WindowRef,
  type WindowStore,
} from "../../templates/runtime/core/window-store.js";
import { createPostgresWindowStore } from "../../templates/runtime/stores/window-postgres.js";
import { createRedisWindowStore } from "../../templates/runtime/stores/window-redis.js";
import { DATABASE_URL, hasPostgres, hasRedis, REDIS_URL, uniqueName } from "../support/brokers.js";
import { sleep } from "../support/wait.js";
import { ORDER_ID, shopService } from "./fixtures.js";

describe("window math", () => {
  it.each([
    // time, size, grace -> start, end, closesAt
    [
      Date.parse("2026-01-01T12:00:59.999Z"),
      60_000,
      10_000,
      "2026-01-01T12:00:00.000Z",
      "2026-01-01T12:01:00.000Z",
      10_000,
    ],
    [Date.parse("2026-01-01T12:01:00.000Z"), 60_000, 0, "2026-01-01T12:01:00.000Z", "2026-01-01T12:02:00.000Z", 0],
    [Date.parse("2026-01-01T12:00:07.000Z"), 5_000, 500, "2026-01-01T12:00:05.000Z", "2026-01-01T12:00:10.000Z", 500],
  ])("puts %d in its window (size %d, grace %d)", (time, size, grace, start, end, after) => {
    const bounds = windowBounds(time, size, grace);
    expect(windowInfo("k", bounds.start, bounds.end)).toEqual({ key: "k", start, end });
    expect(bounds.closesAt - bounds.end).toBe(after);
    expect(bounds.start <= time && time < bounds.end).toBe(true);
  });

  it("reads the key at a path as text, and nothing else", () => {
    const event = { data: { userId: "ada", n: 7, ok: false, nested: { id: "x" }, list: [1] } };
    expect(windowKey(event, "data.userId")).toBe("ada");
    expect(windowKey(event, "data.n")).toBe("7");
    expect(windowKey(event, "data.ok")).toBe("false");
    expect(windowKey(event, "data.nested.id")).toBe("x");
    expect(windowKey(event, "data.nested")).toBeUndefined();
    expect(windowKey(event, "data.list")).toBeUndefined();
    expect(windowKey(event, "data.missing")).toBeUndefined();
    expect(windowKey(event, "data.toString")).toBeUndefined();
  });

  it("derives one summary id per consumer, key and window start", () => {
    const id = summaryId("svc.c", "ada", 60_000);
    expect(summaryId("svc.c", "ada", 60_000)).toBe(id);
    expect(
      new Set([
        id,
        summaryId("svc.c", "ada", 120_000),
        summaryId("svc.c", "bob", 60_000),
        summaryId("svc.d", "ada", 60_000),
      ]).size,
    ).toBe(4);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

interface StoreCase {
  name: string;
  available: boolean;
  open(): WindowStore;
}

const stores: StoreCase[] = [
  { name: "memory", available: true, open: () => createMemoryWindowStore() },
  { name: "redis", available: await hasRedis(), open: () => createRedisWindowStore({ url: REDIS_URL }) },
  {
    name: "postgres",
    available: await hasPostgres(),
    open: () => createPostgresWindowStore({ connectionString: DATABASE_URL }),
  },
];

const count = (state: unknown) => ((state as { n: number } | undefined)?.n ?? 0) + 1;

describe.each(stores)("$name window store", ({ name, available, open }) => {
  const opened: WindowStore[] = [];
  const store = () => {
    const s = open();
    opened.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });
  // Windows of the distant past: due at once, whatever the clock.
  const ref = (consumer: string, key = "ada"): WindowRef => ({
    consumer,
    key,
    start: 60_000,
    end: 120_000,
    closesAt: 130_000,
  });

  it.skipIf(!available)("adds an event once, then closes the window for good", async () => {
    const s = store();
    const consumer = uniqueName(`win-${name}`);
    const event = { source: "/svc", id: "e1" };
    expect(await s.add(ref(consumer), event, (state) => ({ n: count(state) }))).toBe("added");
    expect(await s.add(ref(consumer), event, (state) => ({ n: count(state) }))).toBe("duplicate");
    expect(await s.add(ref(consumer), { source: "/other", id: "e1" }, (state) => ({ n: count(state) }))).toBe("added");
    // Keys with separators stay apart.
    expect(await s.add(ref(consumer, "ada:60000"), event, (state) => ({ n: count(state) }))).toBe("added");

    expect(await s.claimDue(consumer, 129_999, "a", 30_000, 10)).toEqual([]);
    const claimed = await s.claimDue(consumer, Date.now(), "a", 30_000, 10);
    const byKey = Object.fromEntries(claimed.map((w) => [w.key, w]));
    expect(Object.keys(byKey).sort()).toEqual(["ada", "ada:60000"]);
    expect(byKey.ada).toMatchObject({ state: { n: 2 }, events: 2, start: 60_000, end: 120_000, closesAt: 130_000 });
    // Claimed: no other claim gets it, and no event joins it.
    expect(await s.claimDue(consumer, Date.now(), "b", 30_000, 10)).toEqual([]);
    expect(await s.add(ref(consumer), { source: "/svc", id: "e2" }, (state) => ({ n: count(state) }))).toBe("closed");

    await s.finish(byKey.ada!);
    await s.finish(byKey["ada:60000"]!);
    expect(await s.add(ref(consumer), { source: "/svc", id: "e3" }, (state) => ({ n: count(state) }))).toBe("closed");
    expect(await s.claimDue(consumer, Date.now() + 60_000, "b", 30_000, 10)).toEqual([]);
  });

  it.skipIf(!available)("gives a window to another claim once the lease ran out", async () => {
    const s = store();
    const consumer = uniqueName(`win-${name}`);
    await s.add(ref(consumer), { source: "/svc", id: "e1" }, () => ({ n: 1 }));
    expect(await s.claimDue(consumer, Date.now(), "a", 50, 10)).toHaveLength(1);
    await sleep(120);
    const again = await s.claimDue(consumer, Date.now(), "b", 30_000, 10);
    expect(again.map((w) => w.state)).toEqual([{ n: 1 }]);
  });

  it.skipIf(!available || name === "memory")("counts every add once when instances race on one window", async () => {
    const [a, b] = [store(), store()];
    const consumer = uniqueName(`win-${name}`);
    const adds = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? a : b).add(ref(consumer), { source: "/svc", id: `e${i % 30}` }, (state) => ({ n: count(state) })),
    );
    const outcomes = await Promise.all(adds);
    expect(outcomes.filter((o) => o === "added")).toHaveLength(30);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(10);
    const [window] = await a.claimDue(consumer, Date.now(), "a", 30_000, 10);
    expect(window).toMatchObject({ state: { n: 30 }, events: 30 });
  });
});

describe.each(stores.filter((s) => s.name !== "memory"))(
  "two instances closing windows in $name",
  ({ name, available, open }) => {
    it.skipIf(!available)("publish each window's summary once", async () => {
      const window = {
        sizeMs: 60_000,
        graceMs: 0,
        by: "data.userId",
        store: "redis",
        emits: "notification.sent",
      } as const;
      const service = shopService(
        { totals: { on: ["order.created"], emits: ["notification.sent"], window } },
        uniqueName(`win-${name}`),
      );
      const consumer = service.consumers.totals! as typeof service.consumers.totals & { window: typeof window };
      const transport = createMemoryTransport({ service, log: silentLogger, timeScale: 0 });
      const publisher = createPublisher<Record<string, unknown>>(service, transport);
      const aggregate = {
        initial: () => 0,
        add: (state: number) => state + 1,
        emit: (state: number, info: { key: string }) => ({ orderId: ORDER_ID, channel: `${info.key}:${state}` }),
      };
      const [a, b] = [open(), open()];
      try {
        for (let i = 0; i < 60; i++) {
          await a.add(
            { consumer: consumer.group, key: `k${i}`, start: 0, end: 60_000, closesAt: 60_000 },
            { source: "/s", id: `e${i}` },
            () => 1,
          );
        }
        const closers = [a, b].map((store) =>
          startWindowCloser({
            consumer,
            aggregate: aggregate as never,
            store,
            publisher,
            log: silentLogger,
            tickMs: 2 ** 31 - 1,
          }),
        );
        const published = await Promise.all(closers.map((closer) => closer.closeDue()));
        await Promise.all(closers.map((closer) => closer.stop()));
        expect(published[0]! + published[1]!).toBe(60);
        const summaries = transport.published().map((m) => JSON.parse(m.body.toString()).channel as string);
        expect(new Set(summaries).size).toBe(60);
        expect(summaries).toHaveLength(60);
      } finally {
        await Promise.all([a.close(), b.close(), transport.close()]);
      }
    });
  },
);
