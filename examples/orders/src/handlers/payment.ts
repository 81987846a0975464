import { defineHandlers } from "../generated/consumers/payment.js";
import {
  cancel,
  paymentKey,
  recordCharge,
  type Payment,
} from "../domain/payment.js";
import {
  createFakeGateway,
  type PaymentGateway,
} from "../domain/payment-gateway.js";
import { sharedStateStore, type StateStore } from "../state/store.js";

// Charges a new order through the provider's adapter; refunds it when its stock was rejected.
// A provider outage throws: the event is retried (spec: 3 attempts), then dead-lettered, and
// `npm run dlq -- replay payment` hands it back once the provider is up. A declined payment is
// an answer, not a failure: it publishes payment.failed.
export function paymentHandlers(store: StateStore, gateway: PaymentGateway) {
  /** Refunds (the provider dedupes by order id) and announces it, when `by` is the one to. */
  async function refund(
    payment: Payment,
    orderId: string,
    by: string,
    publish: (amount: number, reason: string) => Promise<unknown>,
  ) {
    if (payment.status !== "refunded" || payment.refundedBy !== by) return;
    await gateway.refund({
      orderId,
      providerRef: payment.providerRef,
      amount: payment.amount,
    });
    await publish(payment.amount, payment.reason);
  }

  return defineHandlers({
    "order.created": async (event, ctx) => {
      const { orderId, total: amount, paymentMethod: method } = event.data;
      let payment = (await store.get("payment", paymentKey(orderId))) as
        Payment | undefined;
      if (!payment) {
        const outcome = await gateway.charge({ orderId, amount, method });
        payment = await store.update(
          "payment",
          [paymentKey(orderId)],
          (current) => recordCharge(orderId, amount, method, outcome, current),
        );
      }
      if (payment.status === "charged" || payment.status === "refunded")
        await ctx.publish("payment.succeeded", {
          orderId,
          amount,
          method,
          providerRef: payment.providerRef,
        });
      if (payment.status === "declined")
        await ctx.publish("payment.failed", {
          orderId,
          reason: payment.reason,
        });
      // Stock was rejected while the provider charged: the money goes back at once.
      await refund(payment, orderId, "order.created", (amount, reason) =>
        ctx.publish("payment.refunded", { orderId, amount, reason }),
      );
    },

    "inventory.rejected": async (event, ctx) => {
      const { orderId, sku, reason } = event.data;
      const payment = await store.update(
        "payment",
        [paymentKey(orderId)],
        (current) =>
          cancel(orderId, `out of stock: ${sku} (${reason})`, current),
      );
      await refund(payment, orderId, "inventory.rejected", (amount, reason) =>
        ctx.publish("payment.refunded", { orderId, amount, reason }),
      );
    },
  });
}

export default paymentHandlers(sharedStateStore(), createFakeGateway());
