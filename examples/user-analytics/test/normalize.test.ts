import { afterEach, describe, expect, it } from "vitest";
import { createHarness } from "../src/generated/testing.js";
import normalize from "../src/handlers/normalize.js";
import { bot, desktop, phone } from "./support.js";

describe("normalize", () => {
  let harness: ReturnType<typeof createHarness>;
  afterEach(() => harness.close());

  it("turns every version of every activity into one shape: page path, device, time", async () => {
    harness = createHarness({ normalize });
    await harness.publish("activity.page-viewed", {
      userId: "ada",
      url: "https://shop.example.com/Pricing/?ref=x",
      client: phone,
      referrer: "https://search.example.com/",
      durationMs: 1200,
    });
    await harness.publish("activity.clicked", {
      userId: "ada",
      url: "https://shop.example.com/",
      elementId: "buy",
      client: desktop,
    });
    await harness.publish("activity.signed-up", {
      userId: "bo",
      plan: "pro",
      client: bot,
    });
    await harness.idle();
    const normalized = harness
      .published("activity.normalized")
      .map((e) => e.data);
    const byKind = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.kind).localeCompare(String(b.kind));
    expect(
      normalized.map(({ occurredAt: _at, ...rest }) => rest).sort(byKind),
    ).toEqual([
      { userId: "ada", kind: "click", page: "/", device: "desktop" },
      { userId: "ada", kind: "page-view", page: "/pricing", device: "mobile" },
      { userId: "bo", kind: "sign-up", page: "/signup", device: "bot" },
    ]);
    expect(
      normalized.every(
        (n) =>
          typeof n.occurredAt === "string" &&
          !Number.isNaN(Date.parse(n.occurredAt)),
      ),
    ).toBe(true);
  });
});

describe("normalize, refusing", () => {
  it("dead-letters activity on a page that is not a web page, at once", async () => {
    const harness = createHarness({ normalize });
    await harness.publish("activity.clicked", {
      userId: "ada",
      url: "ftp://files.example.com/a",
      elementId: "x",
      client: desktop,
    });
    await harness.idle();
    expect(harness.deadLettered("normalize").map((d) => d.failure)).toEqual([
      expect.objectContaining({
        attempt: 1,
        message: expect.stringContaining("not a web page"),
      }),
    ]);
    await harness.close();
  });
});
