import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ada, service } from "./support.js";

describe("route-triggers", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());

  it("asks for an order shipped by email, push and SMS, and a password reset by email and SMS", async () => {
    current = service();
    await current.harness.publish("order.shipped", {
      orderId: randomUUID(),
      recipient: ada,
      carrier: "dhl",
    });
    await current.harness.publish("password.reset-requested", {
      requestId: randomUUID(),
      recipient: ada,
      resetUrl: "https://shop.example.com/reset/abc",
    });
    await current.harness.idle();
    const requested = current.harness
      .published("notification.requested")
      .map((e) => e.data);
    expect(requested.map((r) => `${r.template}:${r.channel}`).sort()).toEqual([
      "order-shipped:email",
      "order-shipped:push",
      "order-shipped:sms",
      "password-reset:email",
      "password-reset:sms",
    ]);
  });

  it("leaves out the channels a recipient cannot be reached on", async () => {
    current = service();
    const emailOnly = {
      userId: "bo",
      email: "bo@example.com",
      locale: "de" as const,
    };
    await current.harness.publish("order.shipped", {
      orderId: randomUUID(),
      recipient: emailOnly,
      carrier: "ups",
    });
    await current.harness.idle();
    expect(
      current.harness
        .published("notification.requested")
        .map((e) => e.data.channel),
    ).toEqual(["email"]);
  });
});
