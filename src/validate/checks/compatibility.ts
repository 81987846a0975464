// Warns when a version of an event breaks readers of the version before it.
import { breakingChanges } from "../../ir/compat.js";
import { parseFieldKey, toIRFields } from "../../ir/field-type.js";
import type { CheckContext } from "./context.js";
import { versionsOf } from "./walk.js";

export function checkCompatibility(ctx: CheckContext): void {
  for (const [type, event] of Object.entries(ctx.parts.events)) {
    if (ctx.parts.partial.events.has(type)) continue;
    const versions = versionsOf(type, event);
    for (const [i, current] of versions.entries()) {
      const previous = versions[i - 1];
      if (!previous) continue;
      const keyOf = new Map(Object.keys(current.fields).map((key) => [parseFieldKey(key).name, key]));
      for (const change of breakingChanges(toIRFields(previous.fields), toIRFields(current.fields))) {
        const key = keyOf.get(change.field);
        ctx.warn(
          key ? [...current.path, key] : current.path,
          `version ${current.version} of '${type}' breaks version ${previous.version}: ${change.message}`,
          { at: "key", hint: "consumers may still receive both versions; add fields as optional instead" },
        );
      }
    }
  }
}
