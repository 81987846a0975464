import { afterEach, describe, expect, it } from "vitest";
import { pipeline } from "./support.js";

describe("analytics-store", () => {
  let current: ReturnType<typeof pipeline>;
  afterEach(() => current.harness.close());

  it("keeps each summary under its key and window, once", async () => {
    current = pipeline();
    const summary = {
      page: "/pricing",
      windowStart: "2026-12-01T08:00:00.000Z",
      views: 5,
      users: 2,
    };
    await current.harness.publish("stats.page-hour", summary);
    await current.harness.publish("stats.page-hour", summary);
    await current.harness.idle();
    expect(await current.store.all("page-hour")).toEqual({
      "/pricing@2026-12-01T08:00:00.000Z": summary,
    });
  });
});
