// Zod expressions for IR schema nodes. Objects are loose: unknown fields pass and are kept, so a
// consumer built from an older spec accepts events from a newer producer.
import type { IRField, IRType, JsonValue } from "../ir/types.js";

const formats = {
  uuid: "z.uuid()",
  email: "z.email()",
  url: "z.url()",
  datetime: "z.iso.datetime({ offset: true })",
  date: "z.iso.date()",
} as const;

function bounds(min: number | undefined, max: number | undefined): string {
  return (min === undefined ? "" : `.min(${min})`) + (max === undefined ? "" : `.max(${max})`);
}

/** An exact JSON value: literals for scalars, strict objects and tuples for the rest. */
function exactly(value: JsonValue): string {
  if (Array.isArray(value)) return `z.tuple([${value.map(exactly).join(", ")}])`;
  if (value !== null && typeof value === "object") {
    return `z.strictObject({ ${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${exactly(item)}`)
      .join(", ")} })`;
  }
  return `z.literal(${JSON.stringify(value)})`;
}

function baseSchema(type: IRType): string {
  switch (type.kind) {
    case "string": {
      const pattern = type.pattern === undefined ? "" : `.regex(new RegExp(${JSON.stringify(type.pattern)}))`;
      return `${type.format ? formats[type.format] : "z.string()"}${bounds(type.minLength, type.maxLength)}${pattern}`;
    }
    case "number":
      return `${type.integer ? "z.int()" : "z.number()"}${bounds(type.minimum, type.maximum)}`;
    case "boolean":
      return "z.boolean()";
    case "null":
      return "z.null()";
    case "enum":
      return type.values.every((value) => typeof value === "string")
        ? `z.enum(${JSON.stringify(type.values)})`
        : `z.literal(${JSON.stringify(type.values)})`;
    case "const":
      return exactly(type.value);
    case "array":
      return `z.array(${zodSchema(type.items)})${bounds(type.minItems, type.maxItems)}`;
    case "object":
      return zodObject(type.fields);
    case "ref":
      return type.schemaName;
    case "union":
      return `z.union([${type.options.map(zodSchema).join(", ")}])`;
    case "unknown":
      return "z.unknown()";
  }
}

/** Objects and arrays as defaults are built per use, so no two payloads share one instance. */
function withDefault(schema: string, value: JsonValue): string {
  const json = JSON.stringify(value);
  return value !== null && typeof value === "object"
    ? `${schema}.default(() => (${json}))`
    : `${schema}.default(${json})`;
}

export function zodSchema(type: IRType): string {
  const schema = type.nullable && type.kind !== "null" ? `${baseSchema(type)}.nullable()` : baseSchema(type);
  return type.default === undefined ? schema : withDefault(schema, type.default);
}

function fieldSchema(field: IRField): string {
  const schema = zodSchema(field.type);
  return field.optional && field.type.default === undefined ? `${schema}.optional()` : schema;
}

export function zodObject(fields: IRField[]): string {
  return `z.looseObject({${fields.map((field) => `\n${field.name}: ${fieldSchema(field)},`).join("")}\n})`;
}
