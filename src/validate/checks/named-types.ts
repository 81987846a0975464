// Named types must not refer to themselves (directly or through others); unused ones are flagged.
import { toIRFields } from "../../ir/field-type.js";
import { fieldReferences } from "../../ir/type-order.js";
import type { CheckContext } from "./context.js";
import { fieldsMaps } from "./walk.js";

export function checkNamedTypes(ctx: CheckContext): void {
  const { types } = ctx.parts;
  const refs = new Map(Object.entries(types).map(([name, fields]) => [name, fieldReferences(toIRFields(fields))]));
  const reported = new Set<string>();
  for (const start of refs.keys()) {
    const cycle = findCycle(start, refs);
    if (!cycle) continue;
    const id = [...cycle.slice(1)].sort().join(",");
    if (reported.has(id)) continue;
    reported.add(id);
    ctx.error(["types", start], `type '${start}' refers to itself: ${cycle.join(" -> ")}`, {
      at: "key",
      hint: "recursive types are not supported; break the loop with a field of type object",
    });
  }

  if (!ctx.parts.complete) return;
  const used = new Set(
    fieldsMaps(ctx.parts).flatMap(({ fields, path }) =>
      path[0] === "types" ? [] : fieldReferences(toIRFields(fields)),
    ),
  );
  const reachable = new Set<string>();
  const visit = (name: string) => {
    if (reachable.has(name)) return;
    reachable.add(name);
    refs.get(name)?.forEach(visit);
  };
  used.forEach(visit);
  for (const name of refs.keys()) {
    if (!reachable.has(name)) ctx.warn(["types", name], `type '${name}' is not used by any event`, { at: "key" });
  }
}

/** The path start -> ... -> start when start is on a cycle. */
function findCycle(start: string, refs: Map<string, string[]>): string[] | undefined {
  const stack: string[] = [start];
  const seen = new Set<string>();
  const walk = (name: string): string[] | undefined => {
    for (const next of refs.get(name) ?? []) {
      if (next === start) return [...stack, start];
      if (seen.has(next) || !refs.has(next)) continue;
      seen.add(next);
      stack.push(next);
      const found = walk(next);
      if (found) return found;
      stack.pop();
    }
    return undefined;
  };
  return walk(start);
}
