import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ada, service } from "./support.js";

describe("send-sms", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());
  const request = (recipient = ada) => ({
    notificationId: randomUUID(),
    channel: "sms" as const,
    recipient,
    template: "password-reset",
    variables: { resetUrl: "https://shop.example.com/reset/abc" },
  });

  it("sends every message though the provider fails now and then: the retries absorb it", async () => {
    current = service();
    const requests = Array.from({ length: 20 }, () => request());
    for (const r of requests)
      await current.harness.publish("notification.requested", r);
    await current.harness.idle();
    expect(current.harness.published("notification.sent")).toHaveLength(20);
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
