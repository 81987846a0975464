// components/* nothing referred to are reported: evgen.yaml holds only what its events use.
import type { ImportContext } from "./context.js";
import { isObj, pointer } from "./json.js";

const REFERABLE = ["channels", "operations", "servers", "replies"];

export function unusedComponents(ctx: ImportContext): void {
  const components = isObj(ctx.root.components) ? ctx.root.components : {};
  ctx.leftover(components, "#/components", ["schemas", "messages", ...REFERABLE]);
  const schemas = isObj(components.schemas) ? components.schemas : {};
  for (const name of Object.keys(schemas)) {
    const path = pointer("#/components/schemas", name);
    // Reached by a $ref: mapped where it is used (a payload, a named type, part of an allOf).
    if (ctx.payloadRoots.has(path) || ctx.typeNames.has(path) || ctx.visited.has(path)) continue;
    ctx.warn(path, "not imported: no message uses it (evgen.yaml declares only the types its events use)");
  }
  for (const section of REFERABLE) {
    const entries = isObj(components[section]) ? components[section] : {};
    for (const name of Object.keys(entries)) {
      const path = pointer(`#/components/${section}`, name);
      if (!ctx.visited.has(path)) ctx.warn(path, "not imported: nothing refers to it");
    }
  }
}
