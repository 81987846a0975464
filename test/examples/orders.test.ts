// examples/orders: its scenario on Kafka and PostgreSQL, with a SIGKILL halfway and the dead
// letters of a payment provider outage replayed (see example.ts for what every example gets).
import { expect } from "vitest";
import { DATABASE_URL, hasKafka, hasPostgres, KAFKA_BROKERS } from "../support/brokers.js";
import { describeExample } from "./example.js";

describeExample({
  name: "orders",
  available: (await hasKafka()) && (await hasPostgres()),
  env: { KAFKA_BROKERS: KAFKA_BROKERS.join(","), DATABASE_URL, E2E_ORDERS: "80" },
  expectFigures(figures) {
    // 80 orders, a kind each in turn: 50 ship by card, 10 by PayPal after the replay, 10 are out
    // of stock, 10 over the credit limit.
    expect(figures).toMatchObject({
      ordersPosted: 80,
      shipped: 60,
      cancelled: 20,
      deadLettered: 10,
      replayed: 10,
      sigkills: 1,
    });
    // Every order's events reached the projection: at least order.created, stock and payment.
    expect(figures.eventsHandledByOrderStatus).toBeGreaterThanOrEqual(80 * 3);
  },
});
