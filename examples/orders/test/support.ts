// Test helpers: the shop's consumers on the in-memory broker with a fresh store each time.
import { randomUUID } from "node:crypto";
import type { OrderCreated } from "../src/generated/events.js";
import { createHarness } from "../src/generated/testing.js";
import { createFakeGateway } from "../src/domain/payment-gateway.js";
import { inventoryHandlers } from "../src/handlers/inventory.js";
import { orderStatusHandlers } from "../src/handlers/order-status.js";
import { paymentHandlers } from "../src/handlers/payment.js";
import { shippingHandlers } from "../src/handlers/shipping.js";
import { createMemoryStateStore } from "../src/state/memory-store.js";

export function order(overrides: Partial<OrderCreated> = {}): OrderCreated {
  return {
    orderId: randomUUID(),
    userId: "u-1",
    total: 42,
    currency: "EUR",
    items: [{ sku: "book-1", qty: 2, price: 21 }],
    paymentMethod: "card",
    shipTo: { name: "Ada", street: "1 Main St", city: "Berlin", country: "DE" },
    ...overrides,
  };
}

/** All four consumers, or those named, sharing one memory store; `outage` as FAKE_PAYMENT_OUTAGE. */
export function shop(
  options: {
    outage?: string;
    only?: Array<"inventory" | "payment" | "shipping" | "order-status">;
  } = {},
) {
  const store = createMemoryStateStore();
  const all = {
    inventory: inventoryHandlers(store),
    payment: paymentHandlers(
      store,
      createFakeGateway({ FAKE_PAYMENT_OUTAGE: options.outage }),
    ),
    shipping: shippingHandlers(store),
    "order-status": orderStatusHandlers(store),
  };
  const names = options.only ?? (Object.keys(all) as Array<keyof typeof all>);
  const harness = createHarness(
    Object.fromEntries(names.map((name) => [name, all[name]])),
  );
  return { harness, store };
}
