import { afterEach, describe, expect, it } from "vitest";
import { bot, desktop, phone, pipeline } from "./support.js";

describe("page-hour", () => {
  let current: ReturnType<typeof pipeline>;
  afterEach(() => current.harness.close());

  it("counts a page's views and viewers per hour, without bots and clicks", async () => {
    current = pipeline();
    const view = (userId: string, client: { userAgent: string }) =>
      current.harness.publish("activity.page-viewed", {
        userId,
        url: "https://shop.example.com/pricing/",
        client,
      });
    await view("ada", desktop);
    await view("ada", phone);
    await view("bo", desktop);
    await view("crawler", bot);
    await current.harness.publish("activity.clicked", {
      userId: "cy",
      url: "https://shop.example.com/pricing",
      elementId: "x",
      client: desktop,
    });
    await current.harness.idle();
    await current.harness.closeWindows();
    await current.harness.idle();

    expect(
      current.harness.published("stats.page-hour").map((e) => e.data),
    ).toEqual([
      { page: "/pricing", windowStart: expect.any(String), views: 3, users: 2 },
    ]);
  });
});
