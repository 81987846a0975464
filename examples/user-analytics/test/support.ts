// The whole pipeline on the in-memory broker, with a fresh summary store each time.
import { createHarness } from "../src/generated/testing.js";
import { analyticsStoreHandlers } from "../src/handlers/analytics-store.js";
import normalize from "../src/handlers/normalize.js";
import pageHour from "../src/handlers/page-hour.js";
import userMinute from "../src/handlers/user-minute.js";
import { createMemorySummaryStore } from "../src/store/summaries.js";

export const desktop = {
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
};
export const phone = {
  userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148",
};
export const bot = {
  userAgent: "Googlebot/2.1 (+http://www.google.com/bot.html)",
};

export function pipeline() {
  const store = createMemorySummaryStore();
  const harness = createHarness({
    normalize,
    "user-minute": userMinute,
    "page-hour": pageHour,
    "analytics-store": analyticsStoreHandlers(store),
  });
  return { harness, store };
}
