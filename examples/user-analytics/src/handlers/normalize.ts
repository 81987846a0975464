import {
  defineHandlers,
  NonRetryableError,
} from "../generated/consumers/normalize.js";
import { deviceOf, pageOf as pathOf } from "../domain/normalize.js";

/** A URL that is not a web page is a bug in the producer: the dead letter, without retries. */
function pageOf(url: string): string {
  const page = pathOf(url);
  if (page === undefined)
    throw new NonRetryableError(`${url} is not a web page`);
  return page;
}

// Every version of every activity becomes activity.normalized. Version 1 and 2 page views differ
// only in optional fields, so one handler reads both (narrow on event.dataversion to use v2's).
// The event's own time, when it has one, is when it happened.
export default defineHandlers({
  "activity.page-viewed": async (event, ctx) => {
    const { userId, url, client } = event.data;
    if (event.dataversion === 2 && event.data.durationMs !== undefined)
      ctx.log.debug({ durationMs: event.data.durationMs }, "time on page");
    await ctx.publish("activity.normalized", {
      userId,
      kind: "page-view",
      page: pageOf(url),
      device: deviceOf(client.userAgent),
      occurredAt: event.time ?? new Date().toISOString(),
    });
  },
  "activity.clicked": async (event, ctx) => {
    const { userId, url, client } = event.data;
    await ctx.publish("activity.normalized", {
      userId,
      kind: "click",
      page: pageOf(url),
      device: deviceOf(client.userAgent),
      occurredAt: event.time ?? new Date().toISOString(),
    });
  },
  "activity.signed-up": async (event, ctx) => {
    await ctx.publish("activity.normalized", {
      userId: event.data.userId,
      kind: "sign-up",
      page: "/signup",
      device: deviceOf(event.data.client.userAgent),
      occurredAt: event.time ?? new Date().toISOString(),
    });
  },
});
