import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ada, service } from "./support.js";

describe("send-push", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());

  it("sends to a device, and dead-letters an invalid device token at once", async () => {
    current = service();
    const base = {
      channel: "push" as const,
      template: "order-shipped",
      variables: { orderId: "o-1", carrier: "dhl" },
    };
    await current.harness.publish("notification.requested", {
      ...base,
      notificationId: randomUUID(),
      recipient: ada,
    });
    await current.harness.publish("notification.requested", {
      ...base,
      notificationId: randomUUID(),
      recipient: { ...ada, deviceToken: "invalid-123" },
    });
    await current.harness.idle();
    expect(current.harness.published("notification.sent")).toHaveLength(1);
    expect(
      current.harness.deadLettered("send-push").map((d) => d.failure),
    ).toEqual([
      expect.objectContaining({
        attempt: 1,
        message: expect.stringContaining(
          "device token invalid-123 is not registered",
        ),
      }),
    ]);
  });
});
