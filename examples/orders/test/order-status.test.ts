import { afterEach, describe, expect, it } from "vitest";
import type { OrderStatus } from "../src/domain/order-status.js";
import { order, shop } from "./support.js";

// The whole flow on the in-memory broker: every consumer, their events, the projection.
describe("an order through inventory, payment, shipping and order-status", () => {
  let current: ReturnType<typeof shop>;
  afterEach(() => current.harness.close());
  const status = async (orderId: string) =>
    (await current.store.get("order-status", orderId)) as OrderStatus;
  /** Stock an order never touched is still what the catalog started with. */
  const stock = async (sku: string) =>
    (
      (await current.store.get("inventory", `sku:${sku}`)) as
        { available: number } | undefined
    )?.available ?? 10_000;

  it("ships an order whose stock is reserved and whose payment succeeded", async () => {
    current = shop();
    const placed = order();
    await current.harness.publish("order.created", placed);
    await current.harness.idle();

    const shipped = current.harness.published("order.shipped");
    expect(shipped).toHaveLength(1);
    expect(shipped[0]!.data).toEqual({
      orderId: placed.orderId,
      carrier: "dhl",
      trackingUrl: `https://track.example.com/dhl/${placed.orderId}`,
    });
    expect(await status(placed.orderId)).toMatchObject({
      status: "shipped",
      stock: "reserved",
      payment: "succeeded",
      shipment: { carrier: "dhl" },
    });
    expect(
      (await status(placed.orderId)).history.map((h) => h.type).sort(),
    ).toEqual([
      "inventory.reserved",
      "order.created",
      "order.shipped",
      "payment.succeeded",
    ]);
    expect(await stock("book-1")).toBe(10_000 - 2);
  });

  it("cancels an order over the credit limit and gives its stock back", async () => {
    current = shop();
    const placed = order({
      total: 5000,
      items: [{ sku: "lamp-2", qty: 3, price: 1666 }],
    });
    await current.harness.publish("order.created", placed);
    await current.harness.idle();

    expect(current.harness.published("payment.failed")).toHaveLength(1);
    expect(current.harness.published("inventory.released")).toHaveLength(1);
    expect(current.harness.published("order.shipped")).toHaveLength(0);
    expect(await status(placed.orderId)).toMatchObject({
      status: "cancelled",
      stock: "released",
      payment: "failed",
      reason: "payment failed: declined: 5000 is over the credit limit of 1000",
    });
    expect(await stock("lamp-2")).toBe(10_000);
  });

  it("cancels an order out of stock and refunds its payment", async () => {
    current = shop();
    const placed = order({
      items: [
        { sku: "book-1", qty: 1, price: 2 },
        { sku: "vinyl-sold-out", qty: 1, price: 40 },
      ],
    });
    await current.harness.publish("order.created", placed);
    await current.harness.idle();

    expect(
      current.harness.published("inventory.rejected")[0]!.data,
    ).toMatchObject({ sku: "vinyl-sold-out" });
    expect(current.harness.published("payment.refunded")).toHaveLength(1);
    expect(await status(placed.orderId)).toMatchObject({
      status: "cancelled",
      stock: "rejected",
      payment: "refunded",
    });
    expect(await stock("book-1")).toBe(10_000); // nothing of the order was reserved
  });

  it("dead-letters the payment during a provider outage; the rest of the order waits", async () => {
    current = shop({ outage: "paypal" });
    const placed = order({ paymentMethod: "paypal" });
    await current.harness.publish("order.created", placed);
    await current.harness.idle();

    const dead = current.harness.deadLettered("payment");
    expect(dead).toHaveLength(1);
    expect(dead[0]!.failure).toMatchObject({
      attempt: 3,
      kind: "error",
      message: "GatewayUnavailableError: paypal is unavailable",
    });
    expect(await status(placed.orderId)).toMatchObject({
      status: "pending",
      stock: "reserved",
    });
    expect(current.harness.published("order.shipped")).toHaveLength(0);
  });
});
