// Breaking changes of events between two specs: what would make running producers and consumers
// of the older spec disagree with services built from the newer one. New events, new versions and
// new optional fields (or required ones with a default) are compatible, since payloads are open;
// changing what an existing version accepts is not, through every named type it uses (see
// schema-diff.ts), nor is removing an event or version, or moving an event to another topic, key or
// routing key (each broker says which: src/broker/).
import { brokerOf } from "../broker/index.js";
import type { IR } from "../ir/types.js";
import { schemaChanges } from "./schema-diff.js";

export interface BreakingChange {
  event: string;
  version?: number;
  /** Where in the payload (`items[].price`), for a change of a version's schema. */
  path?: string;
  message: string;
}

export function compareSpecs(before: IR, after: IR): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const now = new Map(after.events.map((e) => [e.type, e]));
  for (const old of before.events) {
    const event = now.get(old.type);
    if (!event) {
      changes.push({ event: old.type, message: "the event was removed" });
      continue;
    }
    if (before.broker === after.broker) {
      for (const message of brokerOf(after.broker).routingChanges(old, event))
        changes.push({ event: old.type, message });
    }
    const versions = new Map(event.versions.map((v) => [v.version, v]));
    for (const version of old.versions) {
      const current = versions.get(version.version);
      if (!current) {
        changes.push({ event: old.type, version: version.version, message: "the version was removed" });
        continue;
      }
      const diff = schemaChanges(
        { fields: version.fields, types: before.types },
        { fields: current.fields, types: after.types },
      );
      for (const { path, message } of diff) changes.push({ event: old.type, version: version.version, path, message });
    }
  }
  return changes;
}

export function formatChange(change: BreakingChange): string {
  const where = `${change.event}${change.version === undefined ? "" : ` v${change.version}`}`;
  return `${where}: ${change.path === undefined ? "" : `${change.path}: `}${change.message}`;
}
