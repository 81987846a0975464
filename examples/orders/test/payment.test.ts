import { afterEach, describe, expect, it } from "vitest";
import { order, shop } from "./support.js";

// Payment alone on the in-memory broker, with the fake provider.
describe("payment", () => {
  let current: ReturnType<typeof shop>;
  afterEach(() => current.harness.close());

  it("charges an order, and declines one over the credit limit", async () => {
    current = shop({ only: ["payment"] });
    const fine = order({ total: 80, paymentMethod: "invoice" });
    const tooMuch = order({ total: 1000.5 });
    await current.harness.publish("order.created", fine);
    await current.harness.publish("order.created", tooMuch);
    await current.harness.idle();

    expect(
      current.harness.published("payment.succeeded").map((e) => e.data),
    ).toEqual([
      {
        orderId: fine.orderId,
        amount: 80,
        method: "invoice",
        providerRef: expect.stringMatching(/^fake-/),
      },
    ]);
    expect(
      current.harness.published("payment.failed").map((e) => e.data),
    ).toEqual([
      {
        orderId: tooMuch.orderId,
        reason: "declined: 1000.5 is over the credit limit of 1000",
      },
    ]);
  });

  it("refunds a charged order whose stock was rejected, and never charges one rejected first", async () => {
    current = shop({ only: ["payment"] });
    const charged = order();
    await current.harness.publish("order.created", charged);
    await current.harness.publish("inventory.rejected", {
      orderId: charged.orderId,
      sku: "x",
      reason: "gone",
    });
    const rejectedFirst = order();
    await current.harness.publish("inventory.rejected", {
      orderId: rejectedFirst.orderId,
      sku: "x",
      reason: "gone",
    });
    await current.harness.publish("order.created", rejectedFirst);
    await current.harness.idle();

    expect(
      current.harness.published("payment.refunded").map((e) => e.data),
    ).toEqual([
      {
        orderId: charged.orderId,
        amount: 42,
        reason: "out of stock: x (gone)",
      },
    ]);
    expect(current.harness.published("payment.succeeded")).toHaveLength(1);
  });

  it("retries a provider outage, then dead-letters the order with the error", async () => {
    current = shop({ only: ["payment"], outage: "paypal,invoice" });
    await current.harness.publish(
      "order.created",
      order({ paymentMethod: "paypal" }),
    );
    await current.harness.publish(
      "order.created",
      order({ paymentMethod: "card" }),
    );
    await current.harness.idle();

    const dead = current.harness.deadLettered("payment");
    expect(dead.map((d) => d.failure)).toEqual([
      expect.objectContaining({
        attempt: 3,
        message: "GatewayUnavailableError: paypal is unavailable",
      }),
    ]);
    expect(current.harness.published("payment.succeeded")).toHaveLength(1); // the card order
  });
});
