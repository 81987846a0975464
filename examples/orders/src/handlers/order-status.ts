import { defineHandlers } from "../generated/consumers/order-status.js";
import { apply, type OrderEvent } from "../domain/order-status.js";
import { sharedStateStore, type StateStore } from "../state/store.js";

// The order-status projection: every event of an order updates its document, read by
// GET /orders/:id (src/api/orders-api.ts).
export function orderStatusHandlers(store: StateStore) {
  const project = async (
    event: OrderEvent,
    log: { info(o: object, m: string): void },
  ) => {
    const order = await store.update(
      "order-status",
      [event.data.orderId],
      (current) => apply(event, current),
    );
    log.info({ orderId: order.orderId, status: order.status }, "order status");
  };
  return defineHandlers({
    "order.created": (event, ctx) => project(event, ctx.log),
    "inventory.reserved": (event, ctx) => project(event, ctx.log),
    "inventory.rejected": (event, ctx) => project(event, ctx.log),
    "inventory.released": (event, ctx) => project(event, ctx.log),
    "payment.succeeded": (event, ctx) => project(event, ctx.log),
    "payment.failed": (event, ctx) => project(event, ctx.log),
    "payment.refunded": (event, ctx) => project(event, ctx.log),
    "order.shipped": (event, ctx) => project(event, ctx.log),
  });
}

export default orderStatusHandlers(sharedStateStore());
