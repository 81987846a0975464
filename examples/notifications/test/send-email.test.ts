import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ada, service } from "./support.js";

describe("send-email", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());
  const request = (userId = "ada") => ({
    notificationId: randomUUID(),
    channel: "email" as const,
    recipient: { ...ada, userId },
    template: "order-shipped",
    variables: { orderId: "o-1", carrier: "dhl" },
  });

  it("sends, says so, and the delivery log records it", async () => {
    current = service();
    const sent = request();
    await current.harness.publish("notification.requested", sent);
    await current.harness.idle();
    expect(
      current.harness.published("notification.sent").map((e) => e.data),
    ).toEqual([
      expect.objectContaining({
        notificationId: sent.notificationId,
        channel: "email",
        userId: "ada",
      }),
    ]);
    expect(await current.store.outcome(sent.notificationId)).toMatchObject({
      status: "sent",
    });
  });

  it("skips a user who turned email off, and records why", async () => {
    current = service();
    await current.harness.publish("preference.updated", {
      userId: "cy",
      channel: "email",
      enabled: false,
      at: new Date().toISOString(),
    });
    await current.harness.idle();
    const skipped = request("cy");
    await current.harness.publish("notification.requested", skipped);
    await current.harness.idle();
    expect(current.harness.published("notification.sent")).toHaveLength(0);
    expect(await current.store.outcome(skipped.notificationId)).toEqual({
      status: "skipped",
      reason: "opted-out",
    });
    expect(current.harness.deadLettered()).toHaveLength(0);
  });

  it("dead-letters a request for a template that does not exist, at once", async () => {
    current = service();
    await current.harness.publish("notification.requested", {
      ...request(),
      template: "no-such",
    });
    await current.harness.idle();
    expect(
      current.harness.deadLettered("send-email").map((d) => d.failure),
    ).toEqual([
      expect.objectContaining({
        attempt: 1,
        message: expect.stringContaining('no template "no-such"'),
      }),
    ]);
  });
});
