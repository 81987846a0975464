import { afterEach, describe, expect, it } from "vitest";
import { desktop, pipeline } from "./support.js";

describe("user-minute", () => {
  let current: ReturnType<typeof pipeline>;
  afterEach(() => current.harness.close());

  it("sums up each user's activity of a minute into one summary, which analytics-store keeps", async () => {
    current = pipeline();
    const url = "https://shop.example.com/pricing";
    for (let i = 0; i < 3; i++)
      await current.harness.publish("activity.page-viewed", {
        userId: "ada",
        url,
        client: desktop,
      });
    await current.harness.publish("activity.clicked", {
      userId: "ada",
      url,
      elementId: "buy",
      client: desktop,
    });
    await current.harness.publish("activity.signed-up", {
      userId: "bo",
      plan: "free",
      client: desktop,
    });
    await current.harness.idle();
    await current.harness.closeWindows();
    await current.harness.idle();

    const summaries = current.harness
      .published("stats.user-minute")
      .map((e) => e.data);
    expect(
      summaries
        .map(({ windowStart: _w, ...rest }) => rest)
        .sort((a, b) => String(a.userId).localeCompare(String(b.userId))),
    ).toEqual([
      { userId: "ada", events: 4, pageViews: 3, clicks: 1, signUps: 0 },
      { userId: "bo", events: 1, pageViews: 0, clicks: 0, signUps: 1 },
    ]);
    expect(Object.keys(await current.store.all("user-minute"))).toHaveLength(2);
  });
});
