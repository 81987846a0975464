// The payment provider's adapter. This one is a fake that logs: it approves an order up to the
// credit limit and declines above it. FAKE_PAYMENT_OUTAGE=paypal (comma-separated methods) makes
// those methods unavailable, as a provider outage would: the charge throws, the payment consumer
// retries, then dead-letters the order (`npm run dlq -- replay payment` once the outage is over).
// A real adapter calls the provider with the order id as idempotency key, so a retried charge
// never charges twice; so does this one.
import { randomUUID } from "node:crypto";

export type Method = "card" | "paypal" | "invoice";

export type ChargeResult =
  { approved: true; providerRef: string } | { approved: false; reason: string };

export interface PaymentGateway {
  charge(request: {
    orderId: string;
    amount: number;
    method: Method;
  }): Promise<ChargeResult>;
  refund(request: {
    orderId: string;
    providerRef: string;
    amount: number;
  }): Promise<void>;
}

/** The provider is down: worth retrying later, unlike a declined payment. */
export class GatewayUnavailableError extends Error {
  override name = "GatewayUnavailableError";
}

export const CREDIT_LIMIT = 1000;

export function createFakeGateway(
  env: NodeJS.ProcessEnv = process.env,
): PaymentGateway {
  const down = new Set(
    (env.FAKE_PAYMENT_OUTAGE ?? "")
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean),
  );
  const charges = new Map<string, ChargeResult>();
  return {
    async charge({ orderId, amount, method }) {
      if (down.has(method))
        throw new GatewayUnavailableError(`${method} is unavailable`);
      const known = charges.get(orderId);
      if (known) return known;
      const result: ChargeResult =
        amount > CREDIT_LIMIT
          ? {
              approved: false,
              reason: `declined: ${amount} is over the credit limit of ${CREDIT_LIMIT}`,
            }
          : { approved: true, providerRef: `fake-${randomUUID()}` };
      charges.set(orderId, result);
      return result;
    },
    async refund({ providerRef, amount }) {
      console.log(
        JSON.stringify({ msg: "fake gateway refund", providerRef, amount }),
      );
    },
  };
}
