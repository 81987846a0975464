// Payment decisions per order, in namespace "payment", document `order:<id>`. The charge itself
// happens outside the transaction (the provider is another system); these functions decide what
// to record and which event the record stands for, so that a redelivered event publishes the same.
import type { Change, Json } from "../state/store.js";
import type { ChargeResult, Method } from "./payment-gateway.js";

export type Payment =
  | { status: "charged"; amount: number; method: Method; providerRef: string }
  | { status: "declined"; reason: string }
  /** `refundedBy`: the event whose handler refunds, and announces it (once, with the same id). */
  | {
      status: "refunded";
      amount: number;
      method: Method;
      providerRef: string;
      reason: string;
      refundedBy: "order.created" | "inventory.rejected";
    }
  /** The stock was rejected before the order reached payment: it is never charged. */
  | { status: "voided"; reason: string };

export const paymentKey = (orderId: string) => `order:${orderId}`;

/** Records a charge's outcome, unless the order was voided meanwhile (then it is to be refunded). */
export function recordCharge(
  orderId: string,
  amount: number,
  method: Method,
  outcome: ChargeResult,
  current: Record<string, Json | undefined>,
): Change<Payment> {
  const existing = current[paymentKey(orderId)] as Payment | undefined;
  if (existing?.status === "voided" && outcome.approved) {
    const refunded: Payment = {
      status: "refunded",
      amount,
      method,
      providerRef: outcome.providerRef,
      reason: existing.reason,
      refundedBy: "order.created",
    };
    return { writes: { [paymentKey(orderId)]: refunded }, result: refunded };
  }
  if (existing) return { writes: {}, result: existing };
  const payment: Payment = outcome.approved
    ? { status: "charged", amount, method, providerRef: outcome.providerRef }
    : { status: "declined", reason: outcome.reason };
  return { writes: { [paymentKey(orderId)]: payment }, result: payment };
}

/** Stock was rejected: a charged order is refunded, one not charged yet never will be. */
export function cancel(
  orderId: string,
  reason: string,
  current: Record<string, Json | undefined>,
): Change<Payment> {
  const existing = current[paymentKey(orderId)] as Payment | undefined;
  if (!existing) {
    const voided: Payment = { status: "voided", reason };
    return { writes: { [paymentKey(orderId)]: voided }, result: voided };
  }
  if (existing.status !== "charged") return { writes: {}, result: existing };
  const refunded: Payment = {
    ...existing,
    status: "refunded",
    reason,
    refundedBy: "inventory.rejected",
  };
  return { writes: { [paymentKey(orderId)]: refunded }, result: refunded };
}
