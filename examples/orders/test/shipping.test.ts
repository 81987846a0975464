import { afterEach, describe, expect, it } from "vitest";
import { order, shop } from "./support.js";

// Shipping alone on the in-memory broker: its three events arrive in any order.
describe("shipping", () => {
  let current: ReturnType<typeof shop>;
  afterEach(() => current.harness.close());

  it("ships once placed, reserved and paid, whatever came first, and once only", async () => {
    current = shop({ only: ["shipping"] });
    const placed = order({
      shipTo: { name: "Bo", street: "2 Rue", city: "Lyon", country: "FR" },
    });
    const { orderId } = placed;
    await current.harness.publish("payment.succeeded", {
      orderId,
      amount: 42,
      method: "card",
      providerRef: "r",
    });
    await current.harness.publish("inventory.reserved", {
      orderId,
      items: placed.items,
    });
    await current.harness.idle();
    expect(current.harness.published("order.shipped")).toHaveLength(0);

    await current.harness.publish("order.created", placed);
    await current.harness.publish("payment.succeeded", {
      orderId,
      amount: 42,
      method: "card",
      providerRef: "r",
    });
    await current.harness.idle();
    expect(
      current.harness.published("order.shipped").map((e) => e.data),
    ).toEqual([
      {
        orderId,
        carrier: "colissimo",
        trackingUrl: `https://track.example.com/colissimo/${orderId}`,
      },
    ]);
  });
});
