// TypeScript types for IR schema nodes. An optional field stays optional even with a default, so
// the same type serves the publisher (which may leave it out) and handlers.
import type { IRField, IRType, JsonValue } from "../ir/types.js";
import { jsDoc } from "./comment.js";

function literal(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${literal(item)}`)
      .join("; ")} }`;
  }
  return JSON.stringify(value);
}

function baseType(type: IRType): string {
  switch (type.kind) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "enum":
      return type.values.map((value) => JSON.stringify(value)).join(" | ");
    case "const":
      return literal(type.value);
    case "array":
      return `Array<${tsType(type.items)}>`;
    case "object":
      return tsObjectType(type.fields);
    case "ref":
      return type.typeName;
    case "union":
      return type.options.map(tsType).join(" | ");
    case "unknown":
      return "unknown";
  }
}

export function tsType(type: IRType): string {
  const base = baseType(type);
  return type.nullable && type.kind !== "null" ? `${base} | null` : base;
}

/**
 * `{ a: string; b?: number }`, each field preceded by its description. An object without
 * declared fields takes any fields (not `{}`, which would accept any value but null).
 */
export function tsObjectType(fields: IRField[]): string {
  if (fields.length === 0) return "{ [key: string]: unknown }";
  const members = fields.map((field) => {
    return `${jsDoc(field.type.doc)}${field.name}${field.optional ? "?" : ""}: ${tsType(field.type)};`;
  });
  return `{\n${members.join("\n")}\n}`;
}
