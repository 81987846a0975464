// Type-level guarantees of handler modules, checked by `tsc --noEmit` (every @ts-expect-error
// must be an error), plus one run showing typed handlers plug into the untyped runtime.
import { describe, expect, it } from "vitest";
import { createHarness } from "../../templates/runtime/memory/harness.js";
import type { ConsumerHandlers, Handlers } from "../../templates/runtime/core/handlers.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { ORDER_ID, order, shopService, type Payloads, type Versions } from "./fixtures.js";

/** What a generated consumer module exports for a consumer on two events that emits one. */
function defineHandlers(
  handlers: Handlers<Versions, Payloads, "order.created" | "order.shipped", "notification.sent">,
): Handlers<Versions, Payloads, "order.created" | "order.shipped", "notification.sent"> {
  return handlers;
}

const trackingUrls: Array<string | undefined> = [];

const shipping = defineHandlers({
  "order.created": async (event, ctx) => {
    const currency: "EUR" | "USD" = event.data.currency; // defaults applied: never undefined
    await ctx.publish("notification.sent", { orderId: event.data.orderId, channel: currency });

    // @ts-expect-error order.created is not among the consumer's emits
    await ctx.publish("order.created", order());
    // @ts-expect-error channel must be a string
    await ctx.publish("notification.sent", { orderId: ORDER_ID, channel: 7 });
    // @ts-expect-error channel is required
    await ctx.publish("notification.sent", { orderId: ORDER_ID });

    // CloudEvents attributes beyond the required ones: optional, as producers may leave them out.
    const subject: string | undefined = event.subject;
    const dataschema: string | undefined = event.dataschema;
    const tenant: string | undefined = event.extensions?.tenant;
    void [subject, dataschema, tenant];
    // @ts-expect-error time is optional in CloudEvents 1.0
    const time: string = event.time;
    void time;
  },
  "order.shipped": (event) => {
    if (event.dataversion === 2) {
      trackingUrls.push(event.data.trackingUrl);
    } else {
      // @ts-expect-error version 1 has no trackingUrl
      trackingUrls.push(event.data.trackingUrl);
    }
  },
});

// @ts-expect-error the handler for order.shipped is missing
defineHandlers({ "order.created": () => {} });

defineHandlers({
  "order.created": () => {},
  "order.shipped": () => {},
  // @ts-expect-error notification.sent is not among the consumer's `on` events
  "notification.sent": () => {},
});

function publishTyped() {
  const service = shopService();
  const publisher = createPublisher<Payloads>(service, createMemoryTransport({ service, log: silentLogger }));
  // @ts-expect-error total must be a number
  void publisher.publish("order.created", { ...order(), total: "42" });
  // @ts-expect-error not an event type
  void publisher.publish("order.lost", order());
}
void publishTyped;

describe("typed handlers", () => {
  it("run as the runtime's untyped handlers", async () => {
    const untyped: ConsumerHandlers = shipping;
    const harness = createHarness<Payloads>({
      service: shopService({
        shipping: { on: ["order.created", "order.shipped"], emits: ["notification.sent"] },
      }),
      handlers: { shipping: untyped },
    });
    await harness.publish("order.shipped", {
      orderId: ORDER_ID,
      carrier: "ups",
      trackingUrl: "https://t.example/1",
    });
    await harness.idle();
    await harness.close();
    expect(trackingUrls).toEqual(["https://t.example/1"]);
  });
});
