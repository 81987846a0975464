import { defineHandlers } from "../generated/consumers/analytics-store.js";
import { sharedSummaryStore, type SummaryStore } from "../store/summaries.js";

// Keeps every summary where the dashboards read it. A summary published twice (an instance died
// between publishing and forgetting its window) has the same id and the same content: idempotency
// drops it, and writing it again would change nothing anyway.
export function analyticsStoreHandlers(store: SummaryStore) {
  return defineHandlers({
    "stats.user-minute": (event) =>
      store.put(
        "user-minute",
        event.data.userId,
        event.data.windowStart,
        event.data,
      ),
    "stats.page-hour": (event) =>
      store.put(
        "page-hour",
        event.data.page,
        event.data.windowStart,
        event.data,
      ),
  });
}

export default analyticsStoreHandlers(sharedSummaryStore());
