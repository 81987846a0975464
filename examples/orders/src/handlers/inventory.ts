import { defineHandlers } from "../generated/consumers/inventory.js";
import {
  orderKey,
  release,
  reserve,
  skuKey,
  type Reservation,
} from "../domain/inventory.js";
import { sharedStateStore, type StateStore } from "../state/store.js";

// Reserves an order's stock, or rejects it; a failed payment gives the stock back (compensation).
// A redelivered event finds its decision recorded and publishes the same event again, with the
// same id (ctx.publish derives it from the event handled): consumers downstream see it once.
export function inventoryHandlers(store: StateStore) {
  return defineHandlers({
    "order.created": async (event, ctx) => {
      const { orderId, items } = event.data;
      const keys = [
        orderKey(orderId),
        ...items.map((item) => skuKey(item.sku)),
      ];
      const reservation = await store.update("inventory", keys, (current) =>
        reserve(orderId, items, current),
      );
      if (reservation.status === "reserved")
        await ctx.publish("inventory.reserved", { orderId, items });
      if (reservation.status === "rejected")
        await ctx.publish("inventory.rejected", {
          orderId,
          sku: reservation.sku,
          reason: reservation.reason,
        });
    },

    "payment.failed": async (event, ctx) => {
      const { orderId, reason } = event.data;
      let released: Reservation | null = null;
      // The SKUs to lock are those of the reservation, read first; null: it changed meanwhile.
      for (let round = 0; round < 3 && !released; round++) {
        const seen = (await store.get("inventory", orderKey(orderId))) as
          Reservation | undefined;
        const skus =
          seen && "items" in seen
            ? seen.items.map((item) => skuKey(item.sku))
            : [];
        released = await store.update<Reservation | null>(
          "inventory",
          [orderKey(orderId), ...skus],
          (current) =>
            release(orderId, `payment failed: ${reason}`, current) ?? {
              writes: {},
              result: null,
            },
        );
      }
      if (!released)
        throw new Error(`the reservation of ${orderId} kept changing`);
      if (released.status === "released")
        await ctx.publish("inventory.released", {
          orderId,
          reason: released.reason,
        });
    },
  });
}

export default inventoryHandlers(sharedStateStore());
