// A JSON Schema object (no $ref) -> an evgen field object, keyword by keyword. Each step below
// reads the keywords it maps into `used`; what is left is reported.
import { FIELD_NAME, PATTERN_FLAGS } from "../../spec/patterns.js";
import {
  FORMAT_NAMES,
  type FieldObjectSpec,
  type FieldsSpec,
  type FieldTypeSpec,
} from "../../spec/schema/field-type.js";
import type { ImportContext } from "./context.js";
import { fieldType } from "./field-type.js";
import { isObj, pointer, type Obj } from "./json.js";
import { additionalProperties, allOfFields } from "./object-fields.js";
import { ANY, shorthandObject } from "./shorthand.js";

const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];
const NO_KEYWORD = "not imported: evgen field types have no such keyword (or it does not apply to this type)";

/** One schema being mapped: the input, the field object so far and the keywords read. */
interface Draft {
  ctx: ImportContext;
  node: Obj;
  path: string;
  /** Schemas being inlined around this one: a $ref to one of them is a recursion. */
  stack: string[];
  out: FieldObjectSpec;
  used: Set<string>;
  nullable: boolean;
}

export function schemaObject(ctx: ImportContext, node: Obj, path: string, stack: string[]): FieldObjectSpec {
  const out: FieldObjectSpec = {};
  const used = new Set(["description", "default", "type"]);
  if (typeof node.description === "string") out.description = node.description;
  if (node.default !== undefined) out.default = node.default as FieldObjectSpec["default"];
  let types = (Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type]).map(String);
  if (node.nullable === true) {
    used.add("nullable");
    if (!types.includes("null")) types = [...types, "null"];
  }
  const draft: Draft = { ctx, node, path, stack, out, used, nullable: types.includes("null") };
  const choice = enumOrConst(draft) ?? union(draft) ?? allOf(draft);
  if (choice) return choice;
  if (types.length === 0) types = inferredTypes(node);
  return typed(draft, types);
}

function leftover(draft: Draft, what?: string): void {
  draft.ctx.leftover(draft.node, draft.path, [...draft.used], what);
}

function enumOrConst(draft: Draft): FieldObjectSpec | undefined {
  const { ctx, node, path, out, used, nullable } = draft;
  if (Array.isArray(node.enum)) {
    used.add("enum");
    const scalars = node.enum.filter((v) => v === null || ["string", "number", "boolean"].includes(typeof v));
    if (scalars.length < node.enum.length)
      ctx.warn(pointer(path, "enum"), "enum values that are objects or lists are not imported");
    const values = nullable && !scalars.includes(null) ? [...scalars, null] : scalars;
    if (values.length > 0) {
      out.enum = [...new Set(values)] as FieldObjectSpec["enum"];
      leftover(draft);
      return out;
    }
  }
  if (node.const !== undefined) {
    used.add("const");
    out.const = node.const as FieldObjectSpec["const"];
    leftover(draft);
    return out;
  }
  return undefined;
}

/** oneOf, else anyOf: each option mapped on its own. */
function union(draft: Draft): FieldObjectSpec | undefined {
  const { ctx, node, path, stack, out, used, nullable } = draft;
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const options = node[keyword];
    if (!Array.isArray(options) || out.oneOf || out.anyOf) continue;
    used.add(keyword);
    const mapped = options
      .map((option, i) => fieldType(ctx, option, pointer(path, keyword, i), stack))
      .filter((t): t is FieldTypeSpec => t !== undefined);
    if (nullable && !mapped.some((t) => typeof t === "object" && t.type === "null")) mapped.push({ type: "null" });
    if (mapped.length > 0) out[keyword] = mapped;
  }
  if (Array.isArray(node.oneOf) && Array.isArray(node.anyOf))
    ctx.warn(pointer(path, "anyOf"), "only oneOf is imported when both are given");
  if (!out.oneOf && !out.anyOf) return undefined;
  leftover(draft);
  return out;
}

/** allOf of one schema is that schema; allOf of object schemas is one object with the fields of all. */
function allOf(draft: Draft): FieldObjectSpec | undefined {
  const { ctx, node, path, stack, out, used } = draft;
  if (!Array.isArray(node.allOf)) return undefined;
  used.add("allOf");
  // Parts that only annotate ({ description }) add to the one part that says the type.
  const parts = node.allOf.map((part, i) => [part, pointer(path, "allOf", i)] as const);
  const typing = parts.filter(([part]) => !isAnnotation(part));
  if (typing.length === 1 && Object.keys(node).every((k) => ["allOf", ...ANNOTATIONS].includes(k))) {
    for (const [part] of parts) {
      if (typing[0]![0] === part || !isObj(part)) continue;
      if (typeof part.description === "string") out.description ??= part.description;
      if (part.default !== undefined) out.default ??= part.default as FieldObjectSpec["default"];
    }
    const inner = fieldType(ctx, typing[0]![0], typing[0]![1], stack);
    return inner === undefined ? out : { ...(typeof inner === "string" ? shorthandObject(inner) : inner), ...out };
  }
  const merged = allOfFields(ctx, node, path);
  if (merged) return { ...out, ...fieldsObject(merged) };
  ctx.warn(
    pointer(path, "allOf"),
    "allOf is imported only when every part is an object schema: evgen has no intersection of other types",
  );
  return undefined;
}

/** Keywords that describe a value without constraining it. */
const ANNOTATIONS = ["description", "default", "title", "examples", "deprecated", "readOnly", "writeOnly", "$comment"];

function isAnnotation(part: unknown): boolean {
  return isObj(part) && Object.keys(part).every((key) => ANNOTATIONS.includes(key));
}

/** A fields map ("name?" optional) as an inline object field type. */
function fieldsObject(fields: FieldsSpec): FieldObjectSpec {
  const entries = Object.entries(fields).map(
    ([key, type]) => [key.replace(/\?$/, ""), type, !key.endsWith("?")] as const,
  );
  const required = entries.filter(([, , needed]) => needed).map(([name]) => name);
  return {
    type: "object",
    properties: Object.fromEntries(entries.map(([name, type]) => [name, type])),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** A schema without `type` has the type its keywords imply. */
function inferredTypes(node: Obj): string[] {
  if (isObj(node.properties)) return ["object"];
  if (node.items !== undefined) return ["array"];
  if (
    node.format !== undefined ||
    node.pattern !== undefined ||
    node.minLength !== undefined ||
    node.maxLength !== undefined
  )
    return ["string"];
  if (node.minimum !== undefined || node.maximum !== undefined) return ["number"];
  return [];
}

function typed(draft: Draft, types: string[]): FieldObjectSpec {
  const { ctx, path, out, nullable } = draft;
  const base = types.filter((t) => t !== "null");
  if (base.length === 0 && types.length === 0) {
    leftover(draft);
    return { ...ANY, ...out };
  }
  if (base.length > 1) {
    ctx.warn(
      pointer(path, "type"),
      "several types: imported as a union of the plain types (their keywords are not imported)",
    );
    out.anyOf = [
      ...base.map((t) => ({ type: t }) as FieldObjectSpec),
      ...(nullable ? [{ type: "null" } as FieldObjectSpec] : []),
    ];
    return out;
  }
  const kind = base[0] ?? "null";
  if (!JSON_TYPES.includes(kind)) {
    ctx.warn(pointer(path, "type"), `unknown type '${kind}': imported as any value`);
    leftover(draft);
    return { ...ANY, ...out };
  }
  out.type = (nullable && kind !== "null" ? [kind, "null"] : kind) as FieldObjectSpec["type"];
  if (kind === "string") stringKeywords(draft);
  else if (kind === "number" || kind === "integer") copyNumbers(draft, ["minimum", "maximum"]);
  else if (kind === "array") arrayKeywords(draft);
  else if (kind === "object") objectKeywords(draft);
  leftover(draft, NO_KEYWORD);
  return out;
}

function copyNumbers(
  draft: Draft,
  keys: Array<"minLength" | "maxLength" | "minimum" | "maximum" | "minItems" | "maxItems">,
): void {
  for (const key of keys) {
    const value = draft.node[key];
    if (typeof value === "number") {
      draft.out[key] = value;
      draft.used.add(key);
    }
  }
}

function stringKeywords(draft: Draft): void {
  const { ctx, node, path, out, used } = draft;
  copyNumbers(draft, ["minLength", "maxLength"]);
  if (typeof node.format === "string") {
    used.add("format");
    const format = (FORMAT_NAMES as Record<string, string>)[node.format];
    if (format) out.format = format as FieldObjectSpec["format"];
    else
      ctx.warn(
        pointer(path, "format"),
        `format '${node.format}' is not imported: evgen knows uuid, email, uri, date-time and date`,
      );
  }
  if (typeof node.pattern === "string") {
    used.add("pattern");
    try {
      new RegExp(node.pattern, PATTERN_FLAGS);
      out.pattern = node.pattern;
    } catch {
      ctx.warn(pointer(path, "pattern"), "not a valid JavaScript regular expression: not imported");
    }
  }
}

function arrayKeywords(draft: Draft): void {
  const { ctx, node, path, stack, out, used } = draft;
  copyNumbers(draft, ["minItems", "maxItems"]);
  if (node.items === undefined) return;
  used.add("items");
  if (Array.isArray(node.items))
    ctx.warn(pointer(path, "items"), "tuple items are not imported: a list of any value is");
  else {
    const items = fieldType(ctx, node.items, pointer(path, "items"), stack);
    if (items !== undefined) out.items = items;
  }
}

function objectKeywords(draft: Draft): void {
  const { ctx, node, path, stack, out, used } = draft;
  used.add("properties").add("required").add("additionalProperties");
  additionalProperties(ctx, node, path);
  if (!isObj(node.properties)) return;
  const properties: Record<string, FieldTypeSpec> = {};
  for (const [name, value] of Object.entries(node.properties)) {
    const where = pointer(path, "properties", name);
    if (!FIELD_NAME.test(name)) {
      ctx.warn(where, `property '${name}' is not imported: names are [A-Za-z_][A-Za-z0-9_]*`);
      continue;
    }
    const type = fieldType(ctx, value, where, stack);
    if (type !== undefined) properties[name] = type;
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  const required = (Array.isArray(node.required) ? node.required.map(String) : []).filter((name) => name in properties);
  if (required.length > 0) out.required = required;
}
