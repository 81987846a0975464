import { defineHandlers } from "../generated/consumers/shipping.js";
import { learn, shipmentKey, type Fact } from "../domain/shipping.js";
import { sharedStateStore, type StateStore } from "../state/store.js";

// Ships an order once it was placed, its stock reserved and its payment confirmed: three events
// on three topics, in any order. The store keeps what is known of each order; the event that
// completes it ships it and publishes order.shipped (again, with the same id, if redelivered).
export function shippingHandlers(store: StateStore) {
  async function handle(
    event: { id: string; data: { orderId: string } },
    fact: Fact,
    publish: (data: {
      orderId: string;
      carrier: string;
      trackingUrl: string;
    }) => Promise<unknown>,
  ) {
    const { orderId } = event.data;
    const shipped = await store.update(
      "shipping",
      [shipmentKey(orderId)],
      (current) => learn(orderId, event.id, fact, current),
    );
    if (shipped)
      await publish({
        orderId,
        carrier: shipped.carrier,
        trackingUrl: shipped.trackingUrl,
      });
  }

  return defineHandlers({
    "order.created": (event, ctx) =>
      handle(event, { kind: "placed", shipTo: event.data.shipTo }, (data) =>
        ctx.publish("order.shipped", data),
      ),
    "inventory.reserved": (event, ctx) =>
      handle(event, { kind: "reserved" }, (data) =>
        ctx.publish("order.shipped", data),
      ),
    "payment.succeeded": (event, ctx) =>
      handle(event, { kind: "paid" }, (data) =>
        ctx.publish("order.shipped", data),
      ),
  });
}

export default shippingHandlers(sharedStateStore());
