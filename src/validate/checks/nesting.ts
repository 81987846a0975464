// A field type nests objects, lists and unions at most MAX_FIELD_NESTING levels: TypeScript gives
// up on deeper zod schemas ("type instantiation is excessively deep") at about 15. A named type
// starts a new count, since the generated code refers to it by name.
import type { SpecPath } from "../../spec/issue.js";
import { MAX_FIELD_NESTING } from "../../spec/patterns.js";
import type { FieldTypeSpec } from "../../spec/schema/field-type.js";
import type { CheckContext } from "./context.js";
import { fieldsMaps } from "./walk.js";

export function checkNesting(ctx: CheckContext): void {
  for (const { fields, path } of fieldsMaps(ctx.parts)) {
    for (const [key, type] of Object.entries(fields)) {
      const levels = nesting(type);
      if (levels > MAX_FIELD_NESTING) {
        ctx.error(
          [...path, key] as SpecPath,
          `'${key}' nests objects, lists and oneOf/anyOf ${levels} levels deep; at most ${MAX_FIELD_NESTING} are supported`,
          {
            at: "key",
            hint: "declare an inner part as a named type under types: and refer to it by name",
          },
        );
      }
    }
  }
}

/** Levels of objects, lists and unions inside one another (the spec's YAML depth bounds the recursion). */
function nesting(type: FieldTypeSpec): number {
  if (typeof type === "string") return type.endsWith("[]") ? 1 : 0;
  const inner = [
    ...(type.items === undefined ? [] : [type.items]),
    ...Object.values(type.properties ?? {}),
    ...(type.oneOf ?? []),
    ...(type.anyOf ?? []),
  ];
  const nested = type.items !== undefined || type.properties !== undefined || type.oneOf || type.anyOf;
  return (nested ? 1 : 0) + Math.max(0, ...inner.map(nesting));
}
