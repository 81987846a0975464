import { describe, expect, it } from "vitest";
import { release, reserve, orderKey, skuKey } from "../src/domain/inventory.js";
import { apply } from "../src/domain/order-status.js";
import { cancel, paymentKey, recordCharge } from "../src/domain/payment.js";
import { learn } from "../src/domain/shipping.js";
import { createMemoryStateStore } from "../src/state/memory-store.js";
import type { Change } from "../src/state/store.js";

// A killed process handles again the events it had not committed: every decision must come out
// the same the second time, and change nothing more.
const ID = "6f1c2a9e-0b7d-4c3e-9a5f-2d8e4b1c7a30";
const items = [{ sku: "mug-3", qty: 4, price: 5 }];

async function twice<R>(
  namespace: string,
  keys: string[],
  change: (c: Record<string, unknown>) => Change<R>,
) {
  const store = createMemoryStateStore();
  const first = await store.update(namespace, keys, change);
  const snapshot = await Promise.all(
    keys.map((key) => store.get(namespace, key)),
  );
  const second = await store.update(namespace, keys, change);
  expect(
    await Promise.all(keys.map((key) => store.get(namespace, key))),
  ).toEqual(snapshot);
  return { first, second, store };
}

describe("decisions handled twice", () => {
  it("a reservation takes the stock once", async () => {
    const keys = [orderKey(ID), skuKey("mug-3")];
    const { first, second, store } = await twice("inventory", keys, (c) =>
      reserve(ID, items, c),
    );
    expect(first).toEqual({ status: "reserved", items });
    expect(second).toEqual(first);
    expect(await store.get("inventory", skuKey("mug-3"))).toEqual({
      available: 10_000 - 4,
    });
  });

  it("a release gives it back once; one before the reservation cancels the order", async () => {
    const store = createMemoryStateStore();
    const keys = [orderKey(ID), skuKey("mug-3")];
    await store.update("inventory", keys, (c) => reserve(ID, items, c));
    for (let i = 0; i < 2; i++)
      await store.update("inventory", keys, (c) => release(ID, "declined", c)!);
    expect(await store.get("inventory", skuKey("mug-3"))).toEqual({
      available: 10_000,
    });
    // The keys read must cover the reservation's SKUs, or the release asks to read again.
    const other = "0a1b2c3d-0b7d-4c3e-9a5f-2d8e4b1c7a30";
    await store.update("inventory", [orderKey(other), skuKey("mug-3")], (c) =>
      reserve(other, items, c),
    );
    expect(
      await store.update(
        "inventory",
        [orderKey(other)],
        (c) => release(other, "x", c) ?? { writes: {}, result: null },
      ),
    ).toBeNull();

    const late = "1a1b2c3d-0b7d-4c3e-9a5f-2d8e4b1c7a30";
    await store.update("inventory", [orderKey(late)], (c) =>
      release(late, "declined", c)!,
    );
    expect(
      await store.update("inventory", [orderKey(late), skuKey("mug-3")], (c) =>
        reserve(late, items, c),
      ),
    ).toEqual({
      status: "cancelled",
      reason: "declined",
    });
  });

  it("a charge recorded for a voided order is refunded by the charge's handler", async () => {
    const store = createMemoryStateStore();
    const key = [paymentKey(ID)];
    await store.update("payment", key, (c) => cancel(ID, "out of stock", c));
    const approved = { approved: true as const, providerRef: "ref-1" };
    const recorded = await store.update("payment", key, (c) =>
      recordCharge(ID, 20, "card", approved, c),
    );
    expect(recorded).toMatchObject({
      status: "refunded",
      refundedBy: "order.created",
      providerRef: "ref-1",
    });
    expect(
      await store.update("payment", key, (c) => cancel(ID, "again", c)),
    ).toEqual(recorded);
  });

  it("a shipment is announced by the event that completed it, and by no other", async () => {
    const store = createMemoryStateStore();
    const key = [`order:${ID}`];
    const shipTo = {
      name: "Ada",
      street: "1 Main St",
      city: "Paris",
      country: "FR",
    };
    await store.update("shipping", key, (c) =>
      learn(ID, "e1", { kind: "paid" }, c),
    );
    await store.update("shipping", key, (c) =>
      learn(ID, "e2", { kind: "placed", shipTo }, c),
    );
    const shipped = await store.update("shipping", key, (c) =>
      learn(ID, "e3", { kind: "reserved" }, c),
    );
    expect(shipped).toMatchObject({ carrier: "colissimo", by: "e3" });
    expect(
      await store.update("shipping", key, (c) =>
        learn(ID, "e3", { kind: "reserved" }, c),
      ),
    ).toEqual(shipped);
    expect(
      await store.update("shipping", key, (c) =>
        learn(ID, "e1", { kind: "paid" }, c),
      ),
    ).toBeUndefined();
  });

  it("the projection applies an event once", async () => {
    const event = {
      id: "e9",
      type: "payment.failed" as const,
      time: "2026-01-01T00:00:00Z",
      data: { orderId: ID, reason: "declined" },
    };
    const { first, second } = await twice("order-status", [ID], (c) =>
      apply(event, c),
    );
    expect(first).toMatchObject({
      status: "cancelled",
      payment: "failed",
      history: [{ id: "e9" }],
    });
    expect(second).toEqual(first);
  });
});
