// Inventory decisions, kept apart from the broker: which stock an order reserves, and what a
// failed payment gives back. Documents in namespace "inventory": `order:<id>` (the reservation)
// and `sku:<sku>` (what is available).
import type { LineItem } from "../generated/events.js";
import type { Change, Json } from "../state/store.js";
import { INITIAL_STOCK } from "./catalog.js";

export type Reservation =
  | { status: "reserved"; items: LineItem[] }
  | { status: "rejected"; sku: string; reason: string }
  | { status: "released"; items: LineItem[]; reason: string }
  /** The payment failed before the order reached inventory: it is never reserved. */
  | { status: "cancelled"; reason: string };

export interface Stock {
  available: number;
}

export const orderKey = (orderId: string) => `order:${orderId}`;
export const skuKey = (sku: string) => `sku:${sku}`;

/** The quantity of each SKU of an order (an order may list one SKU twice). */
export function quantities(items: LineItem[]): Map<string, number> {
  const bySku = new Map<string, number>();
  for (const item of items)
    bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + item.qty);
  return bySku;
}

const stockOf = (
  current: Record<string, Json | undefined>,
  sku: string,
): number | undefined =>
  (current[skuKey(sku)] as Stock | undefined)?.available ?? INITIAL_STOCK[sku];

/**
 * Reserves every line of the order, or none. Run again for the same order (a redelivery), it
 * changes nothing and returns the reservation made the first time.
 */
export function reserve(
  orderId: string,
  items: LineItem[],
  current: Record<string, Json | undefined>,
): Change<Reservation> {
  const existing = current[orderKey(orderId)] as Reservation | undefined;
  if (existing) return { writes: {}, result: existing };
  const writes: Record<string, Json> = {};
  for (const [sku, qty] of quantities(items)) {
    const available = stockOf(current, sku);
    if (available === undefined || available < qty) {
      const reason =
        available === undefined
          ? "unknown SKU"
          : `${available} in stock, ${qty} ordered`;
      const rejected: Reservation = { status: "rejected", sku, reason };
      return { writes: { [orderKey(orderId)]: rejected }, result: rejected };
    }
    writes[skuKey(sku)] = { available: available - qty };
  }
  const reserved: Reservation = { status: "reserved", items };
  return {
    writes: { ...writes, [orderKey(orderId)]: reserved },
    result: reserved,
  };
}

/**
 * Gives a reservation's stock back after a failed payment. Before any reservation, marks the
 * order cancelled so that a late order.created reserves nothing. `null` when the keys read do
 * not cover the SKUs to give back (the order was reserved meanwhile): read again and retry.
 */
export function release(
  orderId: string,
  reason: string,
  current: Record<string, Json | undefined>,
): Change<Reservation> | null {
  const existing = current[orderKey(orderId)] as Reservation | undefined;
  if (!existing) {
    const cancelled: Reservation = { status: "cancelled", reason };
    return { writes: { [orderKey(orderId)]: cancelled }, result: cancelled };
  }
  if (existing.status !== "reserved") return { writes: {}, result: existing };
  const writes: Record<string, Json> = {};
  for (const [sku, qty] of quantities(existing.items)) {
    if (!(skuKey(sku) in current)) return null;
    writes[skuKey(sku)] = { available: (stockOf(current, sku) ?? 0) + qty };
  }
  const released: Reservation = {
    status: "released",
    items: existing.items,
    reason,
  };
  return {
    writes: { ...writes, [orderKey(orderId)]: released },
    result: released,
  };
}
