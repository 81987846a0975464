// The harness as users' handler tests use it.
import { describe, expect, it } from "vitest";
import { createHarness } from "../../templates/runtime/memory/harness.js";
import { ORDER_ID, order, shopService, type Payloads } from "./fixtures.js";

const service = shopService({
  mailer: { on: ["order.created"], emits: ["notification.sent"] },
  audit: { on: ["notification.sent"] },
});

describe("test harness", () => {
  it("runs only the consumers given handlers, and is idle once their work is done", async () => {
    const harness = createHarness<Payloads>({
      service,
      handlers: {
        mailer: {
          "order.created": async (event, ctx) => {
            await ctx.publish("notification.sent", {
              orderId: (event.data as { orderId: string }).orderId,
              channel: "email",
            });
          },
        },
      },
    });
    const id = await harness.publish("order.created", order(), {
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    await harness.idle();

    expect(harness.handled().map((h) => [h.consumer, h.event.id, h.attempt])).toEqual([["mailer", id, 1]]);
    expect(harness.published().map((p) => p.type)).toEqual(["order.created", "notification.sent"]);
    expect(harness.published("notification.sent")[0]).toMatchObject({
      source: "/shop",
      dataversion: 1,
      data: { orderId: ORDER_ID, channel: "email" },
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    expect(harness.handled("audit")).toEqual([]);
    await harness.close();
  });

  it("shows a dead-lettered body that is not JSON as its text", async () => {
    const harness = createHarness<Payloads>({
      service,
      handlers: { audit: { "notification.sent": () => {} } },
    });
    await harness.transport.publish([
      {
        attributes: {
          id: "x1",
          type: "notification.sent",
          source: "/legacy",
          specversion: "1.0",
          time: new Date().toISOString(),
          dataversion: "1",
          dataschema: "urn:evgen:notification.sent:v1",
          datacontenttype: "application/json",
        },
        topic: "notification.sent",
        body: Buffer.from("<xml/>"),
      },
    ]);
    await harness.idle();
    expect(harness.deadLettered("audit")).toMatchObject([
      { consumer: "audit", data: "<xml/>", failure: { kind: "invalid" } },
    ]);
    await harness.close();
  });

  it("shows what a handler published that no consumer of the service handles, and the handler succeeds", async () => {
    const shipper = shopService({ mailer: { on: ["order.created"], emits: ["notification.sent", "order.shipped"] } });
    const harness = createHarness<Payloads>({
      service: shipper,
      handlers: {
        mailer: {
          "order.created": async (event, ctx) => {
            const { orderId } = event.data as { orderId: string };
            await ctx.publish("order.shipped", { orderId, carrier: "dhl" });
          },
        },
      },
    });
    await harness.publish("order.created", order());
    await harness.idle();

    expect(harness.handled("mailer").map((h) => h.attempt)).toEqual([1]);
    expect(harness.deadLettered()).toEqual([]);
    expect(harness.unrouted()).toMatchObject([{ type: "order.shipped", data: { orderId: ORDER_ID, carrier: "dhl" } }]);
    expect(harness.unrouted("order.shipped")).toHaveLength(1);
    expect(harness.unrouted("order.created")).toEqual([]);
    await harness.close();
  });

  it("refuses handlers for a consumer the service does not have", () => {
    expect(() => createHarness({ service, handlers: { ghost: {} } })).toThrow('unknown consumer "ghost"');
  });
});
