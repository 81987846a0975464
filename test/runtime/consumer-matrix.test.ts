// The consumer behaviour every transport must have, on the in-memory transport through the
// harness: round trip, retries with delays, dead letters, invalid input, filter, ctx.publish,
// idempotency, timeout, concurrency and draining.
import { afterEach, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../templates/runtime/core/errors.js";
import { createHarness, type Harness } from "../../templates/runtime/memory/harness.js";
import type { ConsumerHandlers } from "../../templates/runtime/core/handlers.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { OutgoingMessage, ServiceDef } from "../../templates/runtime/core/types.js";
import { ORDER_ID, order, recordingLogger, shopService, type ConsumerSpec, type Payloads } from "./fixtures.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const harnesses: Array<Harness<Payloads>> = [];

function setup(
  consumers: Record<string, ConsumerSpec>,
  handlers: Record<string, ConsumerHandlers>,
  extra: { timeScale?: number; service?: ServiceDef } = {},
) {
  const { log, lines } = recordingLogger();
  const service = extra.service ?? shopService(consumers);
  const harness = createHarness<Payloads>({
    service,
    handlers,
    log,
    timeScale: extra.timeScale ?? 0,
  });
  harnesses.push(harness);
  return { harness, lines, service };
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** A raw message as another producer might send it. */
function rawMessage(attributes: Partial<Record<string, string>>, body: string): OutgoingMessage {
  return {
    attributes: {
      id: "raw-1",
      type: "order.created",
      source: "/elsewhere",
      specversion: "1.0",
      time: new Date().toISOString(),
      dataversion: "1",
      datacontenttype: "application/json",
      ...attributes,
    } as OutgoingMessage["attributes"],
    topic: "orders",
    body: Buffer.from(body),
  };
}

describe("consumer on the memory transport", () => {
  it("delivers a published event with its CloudEvents attributes, key and defaults applied", async () => {
    const seen: unknown[] = [];
    const { harness } = setup(
      { mailer: { on: ["order.created"] } },
      {
        mailer: {
          "order.created": (event, ctx) => void seen.push({ event, attempt: ctx.attempt, consumer: ctx.consumer }),
        },
      },
    );
    const id = await harness.publish("order.created", order(), { traceparent: TRACEPARENT });
    await harness.idle();

    expect(seen).toEqual([
      {
        event: {
          id,
          type: "order.created",
          source: "/shop",
          specversion: "1.0",
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          dataversion: 1,
          dataschema: "urn:evgen:order.created:v1",
          data: { ...order(), currency: "EUR" },
          key: ORDER_ID,
          traceparent: TRACEPARENT,
        },
        attempt: 1,
        consumer: "mailer",
      },
    ]);
    expect(harness.handled("mailer").map((h) => h.event.id)).toEqual([id]);
  });

  it("handles an event failing twice on attempt 3, no earlier than the retry delays", async () => {
    const calls: Array<{ attempt: number; at: number }> = [];
    const { harness } = setup(
      { mailer: { on: ["order.created"], retry: { delaysMs: [60, 120] } } },
      {
        mailer: {
          "order.created": (_event, ctx) => {
            calls.push({ attempt: ctx.attempt, at: performance.now() });
            if (ctx.attempt < 3) throw new Error(`smtp down (${ctx.attempt})`);
          },
        },
      },
      { timeScale: 1 },
    );
    await harness.publish("order.created", order());
    await harness.idle();

    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(59);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(119);
    expect(harness.handled("mailer")).toHaveLength(1);
    expect(harness.handled("mailer")[0]!.attempt).toBe(3);
    expect(harness.deadLettered()).toEqual([]);
  });

  it("dead-letters an always failing event after exactly `attempts` deliveries", async () => {
    let calls = 0;
    const { harness } = setup(
      { mailer: { on: ["order.created"], retry: { attempts: 4, delaysMs: [1, 2, 3] } } },
      {
        mailer: {
          "order.created": () => {
            calls++;
            throw new Error("mailbox full");
          },
        },
      },
    );
    const id = await harness.publish("order.created", order());
    await harness.idle();

    expect(calls).toBe(4);
    const dead = harness.deadLettered("mailer");
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      consumer: "mailer",
      attributes: { id, type: "order.created", source: "/shop", dataversion: "1" },
      data: { ...order(), currency: "EUR" },
      failure: { kind: "error", message: "Error: mailbox full", attempt: 4, consumer: "mailer" },
    });
    expect(Date.parse(dead[0]!.failure.failedAt)).not.toBeNaN();
    expect(harness.handled()).toEqual([]);
  });

  it("dead-letters NonRetryableError at once and keeps handling later events", async () => {
    const attempts: string[] = [];
    const { harness } = setup(
      { mailer: { on: ["order.created"], retry: { attempts: 5, delaysMs: [1, 1, 1, 1] } } },
      {
        mailer: {
          "order.created": (event) => {
            attempts.push(event.id);
            if ((event.data as { userId: string }).userId === "ghost") throw new NonRetryableError("no such user");
          },
        },
      },
    );
    const bad = await harness.publish("order.created", order({ userId: "ghost" }));
    const good = await harness.publish("order.created", order());
    await harness.idle();

    expect(attempts).toEqual([bad, good]);
    expect(
      harness.deadLettered().map((d) => [d.attributes.id, d.failure.kind, d.failure.message, d.failure.attempt]),
    ).toEqual([[bad, "non-retryable", "NonRetryableError: no such user", 1]]);
    expect(harness.handled().map((h) => h.event.id)).toEqual([good]);
  });

  it.each([
    ["a body that is not JSON", {}, "{not json", /body is not JSON/],
    ["a payload failing its schema", {}, JSON.stringify({ orderId: "nope", total: -1 }), /orderId.*total|userId/],
    ["an unknown dataversion", { dataversion: "7" }, JSON.stringify(order()), /unknown dataversion "7"/],
    [
      "a dataschema naming a version the event does not have",
      { dataversion: undefined, dataschema: "https://schemas.example.com/order.created/v3.json" },
      JSON.stringify(order()),
      /unknown version 3 \(from dataschema "https:\/\/schemas.example.com\/order.created\/v3.json"\) of order.created \(known: 1\)/,
    ],
    [
      "without dataversion, a payload no version accepts",
      { dataversion: undefined },
      JSON.stringify({ orderId: "nope" }),
      /payload matches no version of order.created \(no dataversion; v1: orderId/,
    ],
    [
      "data that is not JSON",
      { datacontenttype: "text/plain" },
      JSON.stringify(order()),
      /unsupported datacontenttype "text\/plain"/,
    ],
    [
      "a structured event that is not JSON",
      { datacontenttype: "application/cloudevents+json" },
      "{not json",
      /structured event is not JSON/,
    ],
    ["a missing CloudEvents attribute", { id: "" }, JSON.stringify(order()), /missing CloudEvents attribute\(s\): id/],
    ["another specversion", { specversion: "0.3" }, JSON.stringify(order()), /unsupported specversion/],
    [
      "a time that is not RFC 3339",
      { time: "Jan 1 2025 10:00" },
      JSON.stringify(order()),
      /invalid time "Jan 1 2025 10:00"/,
    ],
    ["a time without its time of day", { time: "2025-01-01" }, JSON.stringify(order()), /invalid time/],
  ])("dead-letters %s at once as invalid and keeps going", async (_name, attributes, body, message) => {
    let calls = 0;
    const { harness } = setup(
      { mailer: { on: ["order.created"], retry: { attempts: 3 } } },
      { mailer: { "order.created": () => void calls++ } },
    );
    await harness.transport.publish([rawMessage(attributes, body)]);
    await harness.publish("order.created", order());
    await harness.idle();

    expect(calls).toBe(1);
    const dead = harness.deadLettered("mailer");
    expect(dead).toHaveLength(1);
    expect(dead[0]!.failure).toMatchObject({ kind: "invalid", attempt: 1 });
    expect(dead[0]!.failure.message).toMatch(message);
  });

  it("skips events the filter does not match, and handles the others", async () => {
    const channels: unknown[] = [];
    const { harness } = setup(
      {
        texter: {
          on: ["order.created"],
          filter: [{ path: "data.channel", values: ["sms", "push"] }],
        },
      },
      {
        texter: {
          "order.created": (event) => void channels.push((event.data as { channel?: string }).channel),
        },
      },
    );
    await harness.publish("order.created", order({ channel: "email" }));
    await harness.publish("order.created", order({ channel: "sms" }));
    await harness.publish("order.created", order());
    await harness.idle();

    expect(channels).toEqual(["sms"]);
    expect(harness.deadLettered()).toEqual([]);
  });

  it("delivers an event published with ctx.publish to its consumer, with the trace carried over", async () => {
    const { harness } = setup(
      {
        mailer: { on: ["order.created"], emits: ["notification.sent"] },
        audit: { on: ["notification.sent"] },
      },
      {
        mailer: {
          "order.created": async (event, ctx) => {
            await ctx.publish("notification.sent", {
              orderId: (event.data as { orderId: string }).orderId,
              channel: "email",
            });
          },
        },
        audit: { "notification.sent": () => {} },
      },
    );
    await harness.publish("order.created", order(), { traceparent: TRACEPARENT });
    await harness.idle();

    const audited = harness.handled("audit");
    expect(audited).toHaveLength(1);
    expect(audited[0]!.event).toMatchObject({
      type: "notification.sent",
      data: { orderId: ORDER_ID, channel: "email" },
      traceparent: TRACEPARENT,
    });
    expect(harness.published("notification.sent")).toHaveLength(1);
  });

  it("dead-letters a handler publishing an event its consumer does not emit", async () => {
    const { harness } = setup(
      { mailer: { on: ["order.created"], emits: [] } },
      {
        mailer: {
          "order.created": (_event, ctx) =>
            ctx.publish("notification.sent", { orderId: ORDER_ID, channel: "x" }).then(() => {}),
        },
      },
    );
    await harness.publish("order.created", order());
    await harness.idle();

    expect(harness.published("notification.sent")).toEqual([]);
    expect(harness.deadLettered("mailer")[0]!.failure).toMatchObject({
      kind: "non-retryable",
      message: expect.stringMatching(/does not emit notification.sent/),
    });
  });

  it("handles a redelivered event only once with idempotency, twice without", async () => {
    const counts = { once: 0, twice: 0 };
    const { harness } = setup(
      {
        once: { on: ["order.created"], idempotency: "memory" },
        twice: { on: ["order.created"], idempotency: "none" },
      },
      {
        once: { "order.created": () => void counts.once++ },
        twice: { "order.created": () => void counts.twice++ },
      },
    );
    await harness.publish("order.created", order(), { id: "same-id" });
    await harness.idle();
    await harness.publish("order.created", order(), { id: "same-id" });
    await harness.idle();

    expect(counts).toEqual({ once: 1, twice: 2 });
  });

  it("does not mark a failed event as processed: its retry is still handled", async () => {
    let calls = 0;
    const { harness } = setup(
      { once: { on: ["order.created"], idempotency: "memory" } },
      {
        once: {
          "order.created": () => {
            if (++calls === 1) throw new Error("transient");
          },
        },
      },
    );
    await harness.publish("order.created", order());
    await harness.idle();

    expect(calls).toBe(2);
    expect(harness.handled("once")).toHaveLength(1);
  });

  it("fails a handler running past its timeout with kind timeout and aborts its signal", async () => {
    let aborted = 0;
    const { harness } = setup(
      { slow: { on: ["order.created"], timeoutMs: 50, retry: { attempts: 2, delaysMs: [1] } } },
      {
        slow: {
          "order.created": (_event, ctx) =>
            new Promise<void>((resolve) => {
              ctx.signal.addEventListener("abort", () => (aborted++, resolve()));
            }),
        },
      },
    );
    const started = performance.now();
    await harness.publish("order.created", order());
    await harness.idle();

    expect(aborted).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(99);
    expect(harness.deadLettered("slow")[0]!.failure).toMatchObject({
      kind: "timeout",
      attempt: 2,
      message: expect.stringMatching(/within 50 ms/),
    });
    expect(harness.handled()).toEqual([]);
  });

  it("drops an event after the last attempt when the consumer has no dead letter, logging an error", async () => {
    const { harness, lines } = setup(
      {
        mailer: { on: ["order.created"], deadLetter: false, retry: { attempts: 2, delaysMs: [1] } },
      },
      {
        mailer: {
          "order.created": () => {
            throw new Error("boom");
          },
        },
      },
    );
    const id = await harness.publish("order.created", order());
    await harness.idle();

    expect(harness.deadLettered()).toEqual([]);
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: expect.stringMatching(/dropped/),
      obj: { eventId: id, consumer: "mailer", attempt: 2 },
    });
  });

  it.each([1, 3])("keeps at most concurrency=%i handlers in flight", async (concurrency) => {
    let inFlight = 0;
    let peak = 0;
    const { harness } = setup(
      { worker: { on: ["notification.sent"], concurrency } },
      {
        worker: {
          "notification.sent": async () => {
            peak = Math.max(peak, ++inFlight);
            await new Promise((r) => setTimeout(r, 10));
            inFlight--;
          },
        },
      },
    );
    for (let i = 0; i < 10; i++) await harness.publish("notification.sent", { orderId: ORDER_ID, channel: `c${i}` });
    await harness.idle();

    expect(peak).toBe(concurrency);
    expect(harness.handled()).toHaveLength(10);
  });

  it("retries in place in blocking mode, so later events with the same key wait", async () => {
    const order1 = "11111111-1111-4111-8111-111111111111";
    const order2 = "22222222-2222-4222-8222-222222222222";
    const log: string[] = [];
    const { harness } = setup(
      {
        shipper: {
          on: ["order.created"],
          concurrency: 4,
          retry: { mode: "blocking", delaysMs: [20, 20] },
        },
      },
      {
        shipper: {
          "order.created": (event, ctx) => {
            const data = event.data as { orderId: string; userId: string };
            log.push(`${data.userId}#${ctx.attempt}`);
            if (data.userId === "a" && ctx.attempt < 3) throw new Error("later");
          },
        },
      },
      { timeScale: 1 },
    );
    await harness.publish("order.created", order({ orderId: order1, userId: "a" }));
    await harness.publish("order.created", order({ orderId: order1, userId: "b" }));
    await harness.publish("order.created", order({ orderId: order2, userId: "c" }));
    await harness.idle();

    // c (another key) is not held up; b waits until a, with the same key, succeeded.
    expect(log.indexOf("c#1")).toBeLessThan(log.indexOf("a#2"));
    expect(log.filter((l) => l.startsWith("a") || l.startsWith("b"))).toEqual(["a#1", "a#2", "a#3", "b#1"]);
  });

  it("lets in-flight handlers finish on stop and keeps later events for the next subscriber", async () => {
    const service = shopService({ mailer: { on: ["order.created"] } });
    const done: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { harness } = setup({}, {}, { service });
    const pipeline = (handler: ConsumerHandlers[string]) =>
      createPipeline({
        service,
        consumer: service.consumers.mailer!,
        handlers: { "order.created": handler },
        publisher: createPublisher(service, harness.transport),
        log: silentLogger,
      });

    const first = await harness.transport.subscribe(
      service.consumers.mailer!,
      pipeline(async (event) => {
        await gate;
        done.push(`first:${event.id}`);
      }),
    );
    const a = await harness.publish("order.created", order());
    let stopped = false;
    const stopping = first.stop().then(() => (stopped = true));
    const b = await harness.publish("order.created", order());
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(done).toEqual([`first:${a}`]);

    await harness.transport.subscribe(
      service.consumers.mailer!,
      pipeline((event) => void done.push(`second:${event.id}`)),
    );
    await harness.idle();
    expect(done).toEqual([`first:${a}`, `second:${b}`]);
  });
});
