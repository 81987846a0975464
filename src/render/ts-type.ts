// TypeScript types for IR schema nodes, printed in prettier's layout (src/render/layout.ts). An
// optional field stays optional even with a default, so the same type serves the publisher (which
// may leave it out) and handlers.
import type { IRField, IRType, JsonValue } from "../ir/types.js";
import { jsDoc } from "./comment.js";
import { indent, scalarLiteral, type Layout } from "./layout.js";

function literal(value: JsonValue, layout: Layout): string {
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, layout)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    layout.canonical = false;
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${literal(item, layout)}`)
      .join("; ")} }`;
  }
  return scalarLiteral(value, layout);
}

/** A type that prints on one line, or an object type expanded at `depth` (prettier keeps those). */
function baseType(type: IRType, depth: number, layout: Layout): string {
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
      return type.values.map((value) => scalarLiteral(value, layout)).join(" | ");
    case "const":
      return literal(type.value, layout);
    case "array": {
      // prettier hugs `Array<{` when the element is an object type; other multi-line elements move.
      const items = tsType(type.items, depth, layout);
      if (items.includes("\n") && (type.items.kind !== "object" || type.items.nullable)) layout.canonical = false;
      return `Array<${items}>`;
    }
    case "object":
      return tsObjectType(type.fields, depth, layout);
    case "ref":
      return type.typeName;
    case "union": {
      const options = type.options.map((option) => tsType(option, depth, layout));
      if (options.some((option) => option.includes("\n"))) layout.canonical = false;
      return options.join(" | ");
    }
    case "unknown":
      return "unknown";
  }
}

export function tsType(type: IRType, depth = 0, layout: Layout = { canonical: true }): string {
  const base = baseType(type, depth, layout);
  if (!type.nullable || type.kind === "null") return base;
  if (base.includes("\n")) layout.canonical = false;
  return `${base} | null`;
}

/**
 * `{ a: string; b?: number }` expanded, one field a line at `depth + 1`, each preceded by its
 * description. An object without declared fields takes any fields (not `{}`, which would accept
 * any value but null).
 */
export function tsObjectType(fields: IRField[], depth = 0, layout: Layout = { canonical: true }): string {
  if (fields.length === 0) {
    // prettier expands an interface body, but not a nested type literal.
    if (depth === 0) layout.canonical = false;
    return "{ [key: string]: unknown }";
  }
  const pad = indent(depth + 1);
  const members = fields.map((field) => {
    const type = tsType(field.type, depth + 1, layout);
    return `${pad}${jsDoc(field.type.doc, depth + 1)}${field.name}${field.optional ? "?" : ""}: ${type};`;
  });
  return `{\n${members.join("\n")}\n${indent(depth)}}`;
}
