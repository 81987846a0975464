// The order-status projection: each order's state from all of its events, whichever order they
// arrive in (they travel on three topics). Namespace "order-status", document `<orderId>`.
import type { EventPayloads } from "../generated/events.js";
import type { Change, Json } from "../state/store.js";

export type OrderEvent = {
  /** `time` is optional in CloudEvents: a producer may leave it out. */
  [T in keyof EventPayloads]: {
    id: string;
    type: T;
    time?: string;
    data: EventPayloads[T];
  };
}[keyof EventPayloads];

export interface OrderStatus {
  orderId: string;
  /** pending until shipped, or cancelled (out of stock, payment failed). */
  status: "pending" | "shipped" | "cancelled";
  userId?: string;
  total?: number;
  stock?: "reserved" | "rejected" | "released";
  payment?: "succeeded" | "failed" | "refunded";
  shipment?: { carrier: string; trackingUrl?: string };
  /** Why it was cancelled: the first failure. */
  reason?: string;
  /** Every event applied, once each, in the order they were handled. */
  history: Array<{ id: string; type: string; time?: string }>;
}

function statusOf(order: OrderStatus): OrderStatus["status"] {
  if (order.shipment) return "shipped";
  if (order.stock === "rejected" || order.payment === "failed")
    return "cancelled";
  return "pending";
}

/** Applies one event; an event applied before (a redelivery) changes nothing. */
export function apply(
  event: OrderEvent,
  current: Record<string, Json | undefined>,
): Change<OrderStatus> {
  const key = event.data.orderId;
  const before = (current[key] as OrderStatus | undefined) ?? {
    orderId: key,
    status: "pending",
    history: [],
  };
  if (before.history.some((seen) => seen.id === event.id))
    return { writes: {}, result: before };
  const order: OrderStatus = {
    ...before,
    history: [
      ...before.history,
      {
        id: event.id,
        type: event.type,
        ...(event.time ? { time: event.time } : {}),
      },
    ],
  };
  switch (event.type) {
    case "order.created":
      Object.assign(order, {
        userId: event.data.userId,
        total: event.data.total,
      });
      break;
    case "inventory.reserved":
      order.stock ??= "reserved";
      break;
    case "inventory.rejected":
      order.stock = "rejected";
      order.reason ??= `out of stock: ${event.data.sku} (${event.data.reason})`;
      break;
    case "inventory.released":
      order.stock = "released";
      break;
    case "payment.succeeded":
      order.payment ??= "succeeded";
      break;
    case "payment.failed":
      order.payment = "failed";
      order.reason ??= `payment failed: ${event.data.reason}`;
      break;
    case "payment.refunded":
      order.payment = "refunded";
      break;
    case "order.shipped":
      order.shipment = {
        carrier: event.data.carrier,
        ...("trackingUrl" in event.data && event.data.trackingUrl
          ? { trackingUrl: event.data.trackingUrl }
          : {}),
      };
      break;
  }
  order.status = statusOf(order);
  return { writes: { [key]: order }, result: order };
}
