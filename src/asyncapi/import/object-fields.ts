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
  if (isObj(schema) && Array.isArray(schema.allOf)) {
    const merged = allOfFields(ctx, schema, path);
    if (merged) return merged;
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

/**
 * allOf of object schemas (often a $ref to a base plus the properties it adds): one object with
 * the fields of all, a field required when any part requires it. Undefined when a part is no object.
 */
export function allOfFields(ctx: ImportContext, schema: Obj, path: string): FieldsSpec | undefined {
  const { allOf, ...rest } = schema;
  const parts = (allOf as Json[]).map((part, i) => [part, pointer(path, "allOf", i)] as const);
  if (!parts.every(([part, where]) => isObjectLike(ctx.deref(part, where)?.node))) return undefined;
  const fields = parts.map(([part, where]) => objectFields(ctx, part, where, false));
  const own = Object.keys(rest).some((k) => k !== "description")
    ? [objectFields(ctx, { type: "object", ...rest }, path, false)]
    : [];
  return mergeFields([...fields, ...own]);
}

/** An object schema, or an allOf of object schemas: either maps to a fields map. */
export function mapsToFields(ctx: ImportContext, node: Json, path: string): boolean {
  if (isObjectSchema(node)) return true;
  if (!isObj(node) || !Array.isArray(node.allOf) || node.$ref !== undefined) return false;
  return node.allOf.every((part, i) => isObjectLike(ctx.deref(part, pointer(path, "allOf", i))?.node));
}

function isObjectLike(node: Json): boolean {
  return isObj(node) && (node.type === "object" || isObj(node.properties) || Array.isArray(node.allOf));
}

/** Fields maps as one: `name` (required) wins over `name?`; a later part's type wins. */
function mergeFields(maps: FieldsSpec[]): FieldsSpec {
  const result: FieldsSpec = {};
  for (const map of maps) {
    for (const [key, type] of Object.entries(map)) {
      const name = key.replace(/\?$/, "");
      const required = !key.endsWith("?") || name in result;
      delete result[name];
      delete result[`${name}?`];
      result[required ? name : `${name}?`] = type;
    }
  }
  return result;
}

export function additionalProperties(ctx: ImportContext, schema: Obj, path: string): void {
  const value = schema.additionalProperties;
  if (value !== undefined && value !== true && !(isObj(value) && Object.keys(value).length === 0)) {
    ctx.warn(
      pointer(path, "additionalProperties"),
      "not imported: evgen objects are open (unknown fields are accepted)",
    );
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
  const taken = new Set([...ctx.typeNames.values(), ...ctx.takenTypeNames]);
  let unique = name;
  if (taken.has(unique)) unique = `${name}Type`;
  for (let i = 2; taken.has(unique); i++) unique = `${name}Type${i}`;
  if (unique !== raw) {
    const why =
      unique === name ? "type names are PascalCase" : `'${name}' is the TypeScript name of an event or already taken`;
    ctx.warn(schemaPath, `imported as type '${unique}' (${why})`);
  }
  ctx.typeNames.set(schemaPath, unique);
  return unique;
}

export function isObjectSchema(node: Json): boolean {
  return (
    isObj(node) &&
    (node.type === "object" || (node.type === undefined && isObj(node.properties))) &&
    node.$ref === undefined
  );
}
