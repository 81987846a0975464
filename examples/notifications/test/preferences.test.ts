import { afterEach, describe, expect, it } from "vitest";
import { service } from "./support.js";

describe("preferences", () => {
  let current: ReturnType<typeof service>;
  afterEach(() => current.harness.close());

  it("keeps the latest change of a channel, whatever order the changes arrive in", async () => {
    current = service();
    await current.harness.publish("preference.updated", {
      userId: "ada",
      channel: "sms",
      enabled: false,
      at: "2026-01-02T00:00:00Z",
    });
    await current.harness.publish("preference.updated", {
      userId: "ada",
      channel: "sms",
      enabled: true,
      at: "2026-01-01T00:00:00Z",
    });
    await current.harness.idle();
    expect(await current.store.wants("ada", "sms")).toBe(false);
    expect(await current.store.wants("ada", "email")).toBe(true);
  });
});
