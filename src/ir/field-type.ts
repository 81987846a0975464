// Spec field types (shorthand strings and JSON Schema objects) -> IR types.
import { SHORTHAND_TYPES, type ShorthandType } from "../spec/patterns.js";
import {
  FORMAT_NAMES,
  type FieldObjectSpec,
  type FieldsSpec,
  type FieldTypeSpec,
  type JsonType,
} from "../spec/schema/field-type.js";
import { docComment, schemaNameOf } from "./names.js";
import type { IRField, IRType, IRTypeBase } from "./types.js";

/** "couponCode?" -> { name: "couponCode", optional: true }. */
export function parseFieldKey(key: string): { name: string; optional: boolean } {
  return key.endsWith("?") ? { name: key.slice(0, -1), optional: true } : { name: key, optional: false };
}

/** "LineItem[]" -> { base: "LineItem", list: true }. */
export function parseShorthand(text: string): { base: string; list: boolean } {
  return text.endsWith("[]") ? { base: text.slice(0, -2), list: true } : { base: text, list: false };
}

export function isBuiltinType(name: string): name is ShorthandType {
  return (SHORTHAND_TYPES as readonly string[]).includes(name);
}

/** Fields in the order they are written: that is the order users read them in generated types. */
export function toIRFields(fields: FieldsSpec): IRField[] {
  return Object.entries(fields).map(([key, type]) => ({ ...parseFieldKey(key), type: toIRType(type) }));
}

export function toIRType(spec: FieldTypeSpec): IRType {
  return typeof spec === "string" ? fromShorthand(spec) : fromObject(spec);
}

const PLAIN: IRTypeBase = { nullable: false };

function fromShorthand(text: string): IRType {
  const { base, list } = parseShorthand(text);
  const item = isBuiltinType(base) ? builtin(base) : ref(base, PLAIN);
  return list ? { ...PLAIN, kind: "array", items: item } : item;
}

function builtin(name: ShorthandType): IRType {
  switch (name) {
    case "string":
    case "boolean":
      return { ...PLAIN, kind: name };
    case "number":
    case "integer":
      return { ...PLAIN, kind: "number", integer: name === "integer" };
    default:
      return { ...PLAIN, kind: "string", format: name };
  }
}

function ref(name: string, base: IRTypeBase): IRType {
  return { ...base, kind: "ref", name, typeName: name, schemaName: schemaNameOf(name) };
}

function fromObject(spec: FieldObjectSpec): IRType {
  const types: JsonType[] = spec.type === undefined ? [] : Array.isArray(spec.type) ? spec.type : [spec.type];
  const kind = types.find((t) => t !== "null") ?? (types.includes("null") ? "null" : undefined);
  const base: IRTypeBase = {
    nullable: kind !== "null" && types.includes("null"),
    ...(spec.description !== undefined ? { description: spec.description, doc: docComment(spec.description) } : {}),
    ...(spec.default !== undefined ? { default: spec.default } : {}),
  };
  if (spec.$ref !== undefined) return ref(spec.$ref, base);
  if (spec.enum) return { ...base, kind: "enum", values: spec.enum };
  if (spec.const !== undefined) return { ...base, kind: "const", value: spec.const };
  const options = spec.oneOf ?? spec.anyOf;
  if (options) return { ...base, kind: "union", options: options.map(toIRType) };
  switch (kind) {
    case "string":
      return {
        ...base,
        kind: "string",
        ...defined({
          format: spec.format && FORMAT_NAMES[spec.format],
          minLength: spec.minLength,
          maxLength: spec.maxLength,
          pattern: spec.pattern,
        }),
      };
    case "number":
    case "integer":
      return {
        ...base,
        kind: "number",
        integer: kind === "integer",
        ...defined({ minimum: spec.minimum, maximum: spec.maximum }),
      };
    case "boolean":
    case "null":
      return { ...base, kind };
    case "array":
      return {
        ...base,
        kind: "array",
        items: spec.items === undefined ? { ...PLAIN, kind: "unknown" } : toIRType(spec.items),
        ...defined({ minItems: spec.minItems, maxItems: spec.maxItems }),
      };
    case "object": {
      const required = new Set(spec.required ?? []);
      const fields = Object.entries(spec.properties ?? {}).map(([name, type]) => ({
        name,
        optional: !required.has(name),
        type: toIRType(type),
      }));
      return { ...base, kind: "object", fields };
    }
    default:
      return { ...base, kind: "unknown" };
  }
}

/** Drops undefined entries so IR objects only carry the constraints that were written. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
