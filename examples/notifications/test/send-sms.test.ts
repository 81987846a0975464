import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ada, service } from "./support.js";

describe("send-sms", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());
  const request = (recipient = ada, notificationId = randomUUID()) => ({
    notificationId,
    channel: "sms" as const,
    recipient,
    template: "password-reset",
    variables: { resetUrl: "https://shop.example.com/reset/abc" },
  });

  it("sends every message though the provider fails now and then: the retries absorb it", async () => {
    current = service();
    // Fixed ids, so the same four of twenty fail their first attempt every run (2, 10, 13 and 18):
    // few enough that the circuit breaker stays closed, as in a normal day.
    const requests = Array.from({ length: 20 }, (_, i) =>
      request(
        ada,
        `5e1d3a2c-4b6f-4c8e-9a7d-${String(i + 1).padStart(12, "0")}`,
      ),
    );
    for (const r of requests)
      await current.harness.publish("notification.requested", r);
    await current.harness.idle();
    expect(current.harness.published("notification.sent")).toHaveLength(20);
    const retried = current.harness
      .handled("send-sms")
      .filter((h) => h.attempt === 2);
    expect(retried).toHaveLength(4);
    expect(current.harness.deadLettered()).toHaveLength(0);
  });

  it("is not asked for a recipient without a phone number (the filter)", async () => {
    current = service();
    const { phone: _phone, ...noPhone } = ada;
    await current.harness.publish("notification.requested", request(noPhone));
    await current.harness.idle();
    expect(current.harness.handled("send-sms")).toHaveLength(0);
    expect(current.harness.deadLettered()).toHaveLength(0);
  });
});
