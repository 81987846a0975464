// Field objects <-> the shorthand strings evgen.yaml writes for the plain ones (uuid, Order[]).
import { FORMAT_NAMES, type FieldObjectSpec, type FieldTypeSpec } from "../../spec/schema/field-type.js";

const FORMATS: Record<string, string> = FORMAT_NAMES;
const SHORTHAND_FORMATS = new Set<string>(Object.values(FORMAT_NAMES));
const PLAIN_TYPES = ["string", "number", "integer", "boolean"];
/** Field object keys in the order people write them. */
const KEY_ORDER = [
  "type",
  "$ref",
  "enum",
  "const",
  "oneOf",
  "anyOf",
  "format",
  "properties",
  "required",
  "items",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "default",
  "description",
];

/** Any JSON value, for a schema that accepts everything ({} or true). */
export const ANY: FieldObjectSpec = {
  anyOf: [
    { type: "string" },
    { type: "number" },
    { type: "boolean" },
    { type: "object" },
    { type: "array" },
    { type: "null" },
  ],
};

export function shorthandObject(text: string): FieldObjectSpec {
  if (text.endsWith("[]")) return { type: "array", items: text.slice(0, -2) };
  if (PLAIN_TYPES.includes(text)) return { type: text as FieldObjectSpec["type"] };
  if (SHORTHAND_FORMATS.has(text)) return { type: "string", format: text as FieldObjectSpec["format"] };
  return { $ref: text };
}

/** The shorthand string for a field object that says no more than it: { type: string, format: uuid } -> uuid. */
export function simplify(unordered: FieldObjectSpec): FieldTypeSpec {
  const rank = (key: string) => KEY_ORDER.indexOf(key);
  const spec = Object.fromEntries(Object.entries(unordered).sort(([a], [b]) => rank(a) - rank(b))) as FieldObjectSpec;
  const keys = Object.keys(spec);
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  if (typeof spec.type === "string" && only("type") && PLAIN_TYPES.includes(spec.type)) return spec.type;
  if (spec.type === "string" && only("type", "format") && spec.format && SHORTHAND_FORMATS.has(FORMATS[spec.format]!)) {
    return FORMATS[spec.format]!;
  }
  if (typeof spec.$ref === "string" && only("$ref")) return spec.$ref;
  if (spec.type === "array" && only("type", "items") && typeof spec.items === "string" && !spec.items.endsWith("[]")) {
    return `${spec.items}[]`;
  }
  return spec;
}
