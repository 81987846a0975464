import { afterEach, describe, expect, it } from "vitest";
import { order, shop } from "./support.js";

// Inventory alone on the in-memory broker.
describe("inventory", () => {
  let current: ReturnType<typeof shop>;
  afterEach(() => current.harness.close());

  it("reserves every line of an order in stock", async () => {
    current = shop({ only: ["inventory"] });
    const placed = order({
      items: [
        { sku: "mug-3", qty: 3, price: 5 },
        { sku: "mug-3", qty: 2, price: 5 },
      ],
    });
    await current.harness.publish("order.created", placed);
    await current.harness.idle();
    expect(
      current.harness.published("inventory.reserved").map((e) => e.data),
    ).toEqual([{ orderId: placed.orderId, items: placed.items }]);
    expect(await current.store.get("inventory", "sku:mug-3")).toEqual({
      available: 10_000 - 5,
    });
  });

  it("rejects an order with a line out of stock and reserves none of it", async () => {
    current = shop({ only: ["inventory"] });
    const placed = order({
      items: [
        { sku: "book-1", qty: 1, price: 5 },
        { sku: "vinyl-sold-out", qty: 1, price: 30 },
      ],
    });
    await current.harness.publish("order.created", placed);
    await current.harness.idle();
    expect(
      current.harness.published("inventory.rejected").map((e) => e.data),
    ).toEqual([
      {
        orderId: placed.orderId,
        sku: "vinyl-sold-out",
        reason: "0 in stock, 1 ordered",
      },
    ]);
    expect(await current.store.get("inventory", "sku:book-1")).toBeUndefined();
  });

  it("gives the stock back when the payment fails, and never reserves for an order whose payment failed first", async () => {
    current = shop({ only: ["inventory"] });
    const placed = order();
    await current.harness.publish("order.created", placed);
    await current.harness.publish("payment.failed", {
      orderId: placed.orderId,
      reason: "declined",
    });
    const late = order();
    await current.harness.publish("payment.failed", {
      orderId: late.orderId,
      reason: "declined",
    });
    await current.harness.publish("order.created", late);
    await current.harness.idle();

    expect(
      current.harness.published("inventory.released").map((e) => e.data),
    ).toEqual([
      { orderId: placed.orderId, reason: "payment failed: declined" },
    ]);
    expect(
      current.harness
        .published("inventory.reserved")
        .map((e) => e.data.orderId),
    ).toEqual([placed.orderId]);
    expect(await current.store.get("inventory", "sku:book-1")).toEqual({
      available: 10_000,
    });
  });
});
