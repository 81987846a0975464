// components/* nothing referred to: object schemas still become named types; the rest is reported.
import type { ImportContext } from "./context.js";
import { isObj, pointer } from "./json.js";
import { isObjectSchema, objectFields, typeNameFor } from "./object-fields.js";

const REFERABLE = ["channels", "operations", "servers", "replies"];

export function unusedComponents(ctx: ImportContext): void {
  const components = isObj(ctx.root.components) ? ctx.root.components : {};
  ctx.leftover(components, "#/components", ["schemas", "messages", ...REFERABLE]);
  const schemas = isObj(components.schemas) ? components.schemas : {};
  for (const [name, schema] of Object.entries(schemas)) {
    const path = pointer("#/components/schemas", name);
    if (ctx.payloadRoots.has(path) || ctx.typeNames.has(path)) continue;
    if (isObjectSchema(schema)) ctx.types.set(typeNameFor(ctx, path), objectFields(ctx, schema, path, false));
    else if (!ctx.visited.has(path)) ctx.warn(path, "not imported: only object schemas become named types, and no field uses this one");
  }
  for (const section of REFERABLE) {
    const entries = isObj(components[section]) ? components[section] : {};
    for (const name of Object.keys(entries)) {
      const path = pointer(`#/components/${section}`, name);
      if (!ctx.visited.has(path)) ctx.warn(path, "not imported: nothing refers to it");
    }
  }
}
