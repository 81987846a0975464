// Field types: a shorthand string (`uuid`, `LineItem[]`) or a JSON Schema object. Only the shape
// and the rules local to one field object are checked here; references and values are checked by
// checks/field-types.ts once the named types are known.
import * as z from "zod";
import type { JsonValue } from "../json.js";
import { FIELD_KEY, FIELD_NAME, SHORTHAND } from "../patterns.js";
import { patternProblem } from "../regex-safety.js";
import { jsonValue, matching } from "./common.js";

export const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"] as const;
export type JsonType = (typeof JSON_TYPES)[number];
/** `format` values: JSON Schema's names and evgen's shorthand names. */
export const FORMATS = ["uuid", "email", "uri", "url", "date-time", "datetime", "date"] as const;
/** The string formats evgen generates checks for. */
export type StringFormat = "uuid" | "email" | "url" | "datetime" | "date";
/** Each accepted `format` as the string format evgen generates for it. */
export const FORMAT_NAMES: Record<(typeof FORMATS)[number], StringFormat> = {
  uuid: "uuid",
  email: "email",
  uri: "url",
  url: "url",
  "date-time": "datetime",
  datetime: "datetime",
  date: "date",
};
/** The keys that make an object a field type (rather than a mapping of nested fields). */
export const FIELD_TYPE_KEYWORDS = ["type", "$ref", "enum", "const", "oneOf", "anyOf"] as const;
export const NOT_A_FIELD_TYPE = {
  message: `a field type is a type name or an object with one of ${FIELD_TYPE_KEYWORDS.join(", ")}`,
  hint: "for nested fields write { type: object, properties: { ... } } or declare a named type under types:",
};

export type FieldTypeSpec = string | FieldObjectSpec;
export type FieldsSpec = Record<string, FieldTypeSpec>;
export type ScalarValue = string | number | boolean | null;

export interface FieldObjectSpec {
  type?: JsonType | JsonType[];
  $ref?: string;
  enum?: ScalarValue[];
  const?: JsonValue;
  oneOf?: FieldTypeSpec[];
  anyOf?: FieldTypeSpec[];
  properties?: Record<string, FieldTypeSpec>;
  required?: string[];
  items?: FieldTypeSpec;
  format?: (typeof FORMATS)[number];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: JsonValue;
  description?: string;
}

export const fieldType: z.ZodType<FieldTypeSpec> = z
  .lazy(() =>
    z.union([shorthand, fieldObject], {
      error: (issue) => `${NOT_A_FIELD_TYPE.message}, got ${JSON.stringify(issue.input)}`,
    }),
  )
  .meta({
    id: "FieldType",
    description:
      "A field type: string, number, integer, boolean, uuid, email, url, datetime, date or a named type, " +
      "optionally with [] for a list; or a JSON Schema object with type, $ref, enum, const, oneOf or anyOf.",
  });

const shorthand = matching(
  SHORTHAND,
  "a field type is a type name such as string, uuid or LineItem, optionally followed by []",
);

const scalarValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const count = z.int().min(0);
const jsonType = z.enum(JSON_TYPES);

export const fieldObject = z
  .strictObject({
    type: z
      .union([jsonType, z.array(jsonType).min(1)])
      .optional()
      .describe("JSON type, or a list of one type and null."),
    $ref: z.string().optional().describe("Name of a type declared under `types:`."),
    enum: z.array(scalarValue).min(1).optional().describe("Allowed values."),
    const: jsonValue.optional().describe("The only allowed value."),
    oneOf: z.array(fieldType).min(1).optional().describe("The value matches one of these field types."),
    anyOf: z.array(fieldType).min(1).optional().describe("The value matches any of these field types."),
    properties: z
      .record(matching(FIELD_NAME, "property names are [A-Za-z_][A-Za-z0-9_]*"), fieldType)
      .optional()
      .describe("Fields of an object (open: unknown fields are kept)."),
    required: z.array(z.string()).optional().describe("Properties that must be present."),
    items: fieldType.optional().describe("Type of the list's items."),
    format: z.enum(FORMATS).optional().describe("String format."),
    minLength: count.optional(),
    maxLength: count.optional(),
    pattern: z.string().optional().describe("A JavaScript regular expression the string must match."),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minItems: count.optional(),
    maxItems: count.optional(),
    default: jsonValue.optional().describe("Value used when the field is absent; must match the type."),
    description: z.string().optional().describe("Shown in generated types and docs."),
  })
  .superRefine((field, ctx) => {
    if (!FIELD_TYPE_KEYWORDS.some((k) => field[k] !== undefined)) {
      ctx.addIssue({ code: "custom", message: NOT_A_FIELD_TYPE.message, params: { hint: NOT_A_FIELD_TYPE.hint } });
    }
    for (const problem of localProblems(field)) {
      ctx.addIssue({ code: "custom", message: problem.message, path: [problem.key], params: { at: "key" } });
    }
  });

/** A fields map: field name (with "?" when optional) -> field type. */
export const fieldsMap = z
  .record(matching(FIELD_KEY, "field names are [A-Za-z_][A-Za-z0-9_]*, with ? at the end when optional"), fieldType)
  .describe("Fields: name (name? when optional) -> field type.");

const KEYWORDS_BY_TYPE: Record<string, JsonType[]> = {
  format: ["string"],
  minLength: ["string"],
  maxLength: ["string"],
  pattern: ["string"],
  minimum: ["number", "integer"],
  maximum: ["number", "integer"],
  items: ["array"],
  minItems: ["array"],
  maxItems: ["array"],
  properties: ["object"],
  required: ["object"],
};

const BOUNDS = [
  ["minLength", "maxLength"],
  ["minimum", "maximum"],
  ["minItems", "maxItems"],
] as const;

function localProblems(field: FieldObjectSpec): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const exclusive = FIELD_TYPE_KEYWORDS.filter((k) => k !== "type" && field[k] !== undefined);
  if (exclusive.length > 1) {
    problems.push({ key: exclusive[1]!, message: `use only one of ${exclusive.join(", ")} in a field type` });
  }
  const types = field.type === undefined ? [] : Array.isArray(field.type) ? field.type : [field.type];
  const base = types.filter((t) => t !== "null");
  if (new Set(types).size !== types.length || base.length > 1) {
    problems.push({ key: "type", message: "a type list holds one type and null, e.g. [string, null]" });
  }
  if (field.type !== undefined && (field.$ref !== undefined || field.oneOf || field.anyOf)) {
    const other = field.$ref !== undefined ? "$ref" : field.oneOf ? "oneOf" : "anyOf";
    problems.push({ key: "type", message: `type cannot be combined with ${other}` });
  }
  for (const [keyword, applies] of Object.entries(KEYWORDS_BY_TYPE)) {
    if (field[keyword as keyof FieldObjectSpec] === undefined) continue;
    if (!base.some((t) => applies.includes(t))) {
      problems.push({ key: keyword, message: `'${keyword}' applies only to fields of type ${applies.join(" or ")}` });
    }
  }
  for (const [min, max] of BOUNDS) {
    const low = field[min];
    const high = field[max];
    if (low !== undefined && high !== undefined && low > high) {
      problems.push({ key: min, message: `${min} (${low}) is greater than ${max} (${high})` });
    }
  }
  const patternTrouble = field.pattern === undefined ? undefined : patternProblem(field.pattern);
  if (patternTrouble !== undefined) problems.push({ key: "pattern", message: patternTrouble });
  for (const name of field.required ?? []) {
    if (!field.properties || !Object.hasOwn(field.properties, name)) {
      problems.push({ key: "required", message: `required lists '${name}', which is not one of the properties` });
    }
  }
  if (field.enum && new Set(field.enum).size !== field.enum.length) {
    problems.push({ key: "enum", message: "enum lists a value twice" });
  }
  return problems;
}
