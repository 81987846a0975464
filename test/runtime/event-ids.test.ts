// Events a handler publishes get ids derived from what it handles, so that a retried or replayed
// run publishes the same ids and consumers downstream can tell the copies apart from new events.
import { describe, expect, it } from "vitest";
import { emittedEventId, uuidV5 } from "../../templates/runtime/core/event-ids.js";
import { createHarness } from "../../templates/runtime/memory/harness.js";
import { order, shopService, type Payloads } from "./fixtures.js";

const DNS_NAMESPACE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

describe("derived event ids", () => {
  it("are RFC 9562 version 5 UUIDs", () => {
    // The example of RFC 9562, appendix A.4.
    expect(uuidV5("www.example.com", DNS_NAMESPACE)).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    const ref = { source: "/shop", id: "e-1", consumer: "shop.mailer", type: "notification.sent", ordinal: 0 };
    expect(emittedEventId(ref)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(emittedEventId({ ...ref })).toBe(emittedEventId(ref));
    for (const change of [
      { source: "/other" },
      { id: "e-2" },
      { consumer: "shop.texter" },
      { type: "order.shipped" },
      { ordinal: 1 },
    ]) {
      expect(emittedEventId({ ...ref, ...change }), JSON.stringify(change)).not.toBe(emittedEventId(ref));
    }
  });

  it("are the same on every attempt of a handler, one per event it publishes, and unique across events", async () => {
    const service = shopService({
      mailer: { on: ["order.created"], emits: ["notification.sent"], retry: { delaysMs: [0] } },
    });
    const harness = createHarness<Payloads>({
      service,
      handlers: {
        mailer: {
          "order.created": async (event, ctx) => {
            const { orderId } = event.data as { orderId: string };
            await ctx.publish("notification.sent", { orderId, channel: "email" });
            await ctx.publish("notification.sent", { orderId, channel: "sms" });
            if (ctx.attempt === 1) throw new Error("failed after publishing");
          },
        },
      },
    });
    const first = await harness.publish("order.created", order());
    const second = await harness.publish("order.created", order());
    await harness.idle();

    const ids = harness.published("notification.sent").map((event) => event.id);
    expect(ids).toHaveLength(8); // 2 events x 2 attempts x 2 orders
    const [a1, a2, b1, b2, a1Again, a2Again, b1Again, b2Again] = ids;
    expect([a1Again, a2Again, b1Again, b2Again]).toEqual([a1, a2, b1, b2]);
    expect(new Set([a1, a2, b1, b2]).size).toBe(4);
    expect(a1).toBe(
      emittedEventId({ source: "/shop", id: first, consumer: "shop.mailer", type: "notification.sent", ordinal: 0 }),
    );
    expect(b2).toBe(
      emittedEventId({ source: "/shop", id: second, consumer: "shop.mailer", type: "notification.sent", ordinal: 1 }),
    );
    await harness.close();
  });
});
