// Breaking changes of events between two specs: what would make running producers and consumers
// of the older spec disagree with services built from the newer one. New events, new versions and
// new optional fields are compatible (payloads are open); changing what an existing version means
// is not, nor is removing an event or version, or moving an event to another topic or key.
import { breakingChanges } from "../ir/compat.js";
import type { IR, IRField } from "../ir/types.js";

export interface BreakingChange {
  event: string;
  version?: number;
  message: string;
}

/** Fields the newer version requires that the older one did not have at all. */
function addedRequired(before: IRField[], after: IRField[]): string[] {
  const known = new Set(before.map((f) => f.name));
  return after.filter((f) => !f.optional && !known.has(f.name)).map((f) => `required field '${f.name}' was added`);
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
    if (before.broker === "kafka" && after.broker === "kafka") {
      if (old.topic !== event.topic) {
        changes.push({ event: old.type, message: `its topic changed from '${old.topic}' to '${event.topic}'` });
      }
      if (old.key !== event.key) {
        const show = (key?: string) => (key ? `'${key}'` : "none");
        changes.push({ event: old.type, message: `its key changed from ${show(old.key)} to ${show(event.key)}: per-key order breaks` });
      }
    }
    const versions = new Map(event.versions.map((v) => [v.version, v]));
    for (const version of old.versions) {
      const current = versions.get(version.version);
      if (!current) {
        changes.push({ event: old.type, version: version.version, message: "the version was removed" });
        continue;
      }
      const messages = [
        ...breakingChanges(version.fields, current.fields).map((c) => c.message),
        ...addedRequired(version.fields, current.fields),
      ];
      for (const message of messages) changes.push({ event: old.type, version: version.version, message });
    }
  }
  return changes;
}

export function formatChange(change: BreakingChange): string {
  return `${change.event}${change.version === undefined ? "" : ` v${change.version}`}: ${change.message}`;
}
