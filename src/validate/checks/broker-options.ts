// The broker's own rules (its descriptor, src/broker/): keys that only mean something on another
// broker, and what the spec means on this one (settings that would leak into files, events that
// would wait unread).
import { brokerOf } from "../../broker/index.js";
import type { CheckContext } from "./context.js";

export function checkBrokerOptions(ctx: CheckContext): void {
  const { broker } = ctx.parts;
  if (broker === undefined) return;
  brokerOf(broker).checkKeys(ctx);
  brokerOf(broker).checkSpec(ctx);
}
