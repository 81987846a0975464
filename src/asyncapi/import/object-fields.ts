// Object schemas -> fields maps (payloads and named types), and the names of named types.
import { FIELD_NAME, TYPE_NAME } from "../../spec/patterns.js";
import type { FieldsSpec } from "../../spec/schema/field-type.js";
import type { ImportContext } from "./context.js";
import { fieldType } from "./field-type.js";
import { isObj, pointer, unescape, type Json, type Obj } from "./json.js";

/** A payload or named type: an object schema -> fields map. */
export function objectFields(ctx: ImportContext, node: Json, path: string, payload: boolean): FieldsSpec {
  const resolved = ctx.deref(node, path);
  if (!resolved) return {};
  if (payload && resolved.path !== path) ctx.payloadRoots.add(resolved.path);
  const schema = resolved.node;
  path = resolved.path;
  if (isObj(schema) && Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.properties === undefined) {
    const { allOf, ...rest } = schema;
    return {
      ...objectFields(ctx, allOf[0], pointer(path, "allOf", 0), false),
      ...objectFields(ctx, { type: "object", ...rest }, path, false),
    };
  }
  if (!isObj(schema) || (schema.type !== "object" && schema.properties === undefined)) {
    ctx.warn(path, "not an object schema: imported with no fields");
    return {};
  }
  ctx.leftover(schema, path, ["type", "properties", "required", "additionalProperties", "description"]);
  if (schema.description !== undefined) {
    ctx.warn(
      pointer(path, "description"),
      payload
        ? "not imported: a payload has no description in evgen.yaml (the message's is imported)"
        : "not imported: named types have no description in evgen.yaml",
    );
  }
  additionalProperties(ctx, schema, path);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields: FieldsSpec = {};
  for (const [name, value] of Object.entries(isObj(schema.properties) ? schema.properties : {})) {
    const where = pointer(path, "properties", name);
    if (!FIELD_NAME.test(name)) {
      ctx.warn(where, `field '${name}' is not imported: field names are [A-Za-z_][A-Za-z0-9_]*`);
      continue;
    }
    const type = fieldType(ctx, value, where, []);
    if (type !== undefined) fields[required.has(name) ? name : `${name}?`] = type;
  }
  for (const name of required) {
    if (!isObj(schema.properties) || !(name in schema.properties)) {
      ctx.warn(pointer(path, "required"), `'${name}' is required but not a property: not imported`);
    }
  }
  return fields;
}

export function additionalProperties(ctx: ImportContext, schema: Obj, path: string): void {
  const value = schema.additionalProperties;
  if (value !== undefined && value !== true && !(isObj(value) && Object.keys(value).length === 0)) {
    ctx.warn(pointer(path, "additionalProperties"), "not imported: evgen objects are open (unknown fields are accepted)");
  }
}

/** The name of the named type a component schema becomes (PascalCase, unique). */
export function typeNameFor(ctx: ImportContext, schemaPath: string): string {
  const existing = ctx.typeNames.get(schemaPath);
  if (existing) return existing;
  const raw = unescape(schemaPath.split("/").at(-1)!);
  let name = raw
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("")
    .replace(/^[0-9]+/, "");
  if (!TYPE_NAME.test(name)) name = "Type";
  const taken = new Set(ctx.typeNames.values());
  let unique = name;
  for (let i = 2; taken.has(unique); i++) unique = `${name}${i}`;
  if (unique !== raw) ctx.warn(schemaPath, `imported as type '${unique}' (type names are PascalCase)`);
  ctx.typeNames.set(schemaPath, unique);
  return unique;
}

export function isObjectSchema(node: Json): boolean {
  return isObj(node) && (node.type === "object" || (node.type === undefined && isObj(node.properties))) && node.$ref === undefined;
}
