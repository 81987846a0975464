// Specs far larger than services usually are: still valid, but worth a second look.
import type { CheckContext } from "./context.js";
import { fieldsMaps } from "./walk.js";

const MAX_EVENTS = 500;
const MAX_CONSUMERS = 100;
const MAX_FIELDS = 200;

export function checkSize(ctx: CheckContext): void {
  const { events, consumers } = ctx.parts;
  const eventCount = Object.keys(events).length;
  if (eventCount > MAX_EVENTS) {
    ctx.warn(["events"], `${eventCount} events in one service (more than ${MAX_EVENTS})`, {
      at: "key",
      hint: "consider splitting the service",
    });
  }
  const consumerCount = Object.keys(consumers).length;
  if (consumerCount > MAX_CONSUMERS) {
    ctx.warn(["consumers"], `${consumerCount} consumers in one service (more than ${MAX_CONSUMERS})`, { at: "key" });
  }
  for (const { fields, path } of fieldsMaps(ctx.parts)) {
    const count = Object.keys(fields).length;
    if (count > MAX_FIELDS) ctx.warn(path, `${count} fields (more than ${MAX_FIELDS})`, { at: "key" });
  }
}
