// evgen compat on Kafka: an event moved to another topic is no longer read where its consumers
// read it, and a changed key spreads one entity's events over partitions, out of order.
import type { IREvent } from "../../ir/types.js";

export function kafkaRoutingChanges(before: IREvent, after: IREvent): string[] {
  const changes: string[] = [];
  if (before.topic !== after.topic) changes.push(`its topic changed from '${before.topic}' to '${after.topic}'`);
  if (before.key !== after.key) {
    const show = (key?: string) => (key ? `'${key}'` : "none");
    changes.push(`its key changed from ${show(before.key)} to ${show(after.key)}: per-key order breaks`);
  }
  return changes;
}
