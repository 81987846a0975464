import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { service } from "./support.js";

describe("delivery-log", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());

  it("records a message sent by its notification id", async () => {
    current = service();
    const notificationId = randomUUID();
    await current.harness.publish("notification.sent", {
      notificationId,
      channel: "push",
      userId: "ada",
      providerId: "push-1",
      sentAt: new Date().toISOString(),
    });
    await current.harness.idle();
    expect(await current.store.outcome(notificationId)).toEqual({
      status: "sent",
      providerId: "push-1",
    });
  });
});
