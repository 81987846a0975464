// The zod schema of an IR type, built with zod itself: the schema that src/render/zod-schema.ts
// prints into the generated project, call for call (test/ir/zod-runtime.test.ts runs both on the
// same values). Validation checks the spec's literals (defaults, enum, const and filter values)
// with it, so a value evgen accepts is one the generated service accepts.
import * as z from "zod";
import { safePattern } from "../spec/regex-safety.js";
import type { IRField, IRType, JsonValue, StringFormat } from "./types.js";

/** Each string format as the generated code writes it and as zod builds it. */
export const STRING_FORMATS: Record<StringFormat, { code: string; schema: () => z.ZodString }> = {
  uuid: { code: "z.uuid()", schema: () => z.uuid() as unknown as z.ZodString },
  email: { code: "z.email()", schema: () => z.email() as unknown as z.ZodString },
  url: { code: "z.url()", schema: () => z.url() as unknown as z.ZodString },
  datetime: {
    code: "z.iso.datetime({ offset: true })",
    schema: () => z.iso.datetime({ offset: true }) as unknown as z.ZodString,
  },
  date: { code: "z.iso.date()", schema: () => z.iso.date() as unknown as z.ZodString },
};

/** The fields of a named type; undefined when unknown (its schema then accepts anything). */
export type ResolveType = (name: string) => IRField[] | undefined;

/** The schema the generated code has for `type`. A pattern refused as unsafe is left out: it never runs. */
export function runtimeSchema(type: IRType, resolve: ResolveType): z.ZodType {
  return new Builder(resolve).type(type);
}

class Builder {
  private readonly named = new Map<string, z.ZodType>();

  constructor(private readonly resolve: ResolveType) {}

  type(type: IRType): z.ZodType {
    let schema = this.base(type);
    if (type.nullable && type.kind !== "null") schema = schema.nullable();
    if (type.default !== undefined) {
      const value = type.default;
      schema = schema.default(() => structuredClone(value) as never);
    }
    return schema;
  }

  private field(field: IRField): z.ZodType {
    const schema = this.type(field.type);
    return field.optional && field.type.default === undefined ? schema.optional() : schema;
  }

  private object(fields: IRField[]): z.ZodType {
    return z.looseObject(Object.fromEntries(fields.map((field) => [field.name, this.field(field)])));
  }

  private base(type: IRType): z.ZodType {
    switch (type.kind) {
      case "string": {
        let schema = type.format ? STRING_FORMATS[type.format].schema() : z.string();
        if (type.minLength !== undefined) schema = schema.min(type.minLength);
        if (type.maxLength !== undefined) schema = schema.max(type.maxLength);
        const pattern = type.pattern === undefined ? undefined : safePattern(type.pattern);
        return pattern ? schema.regex(pattern) : schema;
      }
      case "number": {
        let schema = type.integer ? z.int() : z.number();
        if (type.minimum !== undefined) schema = schema.min(type.minimum);
        if (type.maximum !== undefined) schema = schema.max(type.maximum);
        return schema;
      }
      case "boolean":
        return z.boolean();
      case "null":
        return z.null();
      case "enum": {
        const { values } = type;
        return values.every((value) => typeof value === "string")
          ? z.enum(values as [string, ...string[]])
          : z.literal(values as Array<string | number | boolean | null>);
      }
      case "const":
        return exactly(type.value);
      case "array": {
        let schema = z.array(this.type(type.items));
        if (type.minItems !== undefined) schema = schema.min(type.minItems);
        if (type.maxItems !== undefined) schema = schema.max(type.maxItems);
        return schema;
      }
      case "object":
        return this.object(type.fields);
      case "ref": {
        let schema = this.named.get(type.name);
        if (!schema) {
          const fields = this.resolve(type.name);
          schema = fields ? z.lazy(() => this.object(fields)) : z.unknown();
          this.named.set(type.name, schema);
        }
        return schema;
      }
      case "union":
        return z.union(type.options.map((option) => this.type(option)));
      case "unknown":
        return z.unknown();
    }
  }
}

/** An exact JSON value: literals for scalars, strict objects and tuples for the rest. */
function exactly(value: JsonValue): z.ZodType {
  if (Array.isArray(value)) return z.tuple(value.map(exactly) as [z.ZodType, ...z.ZodType[]]);
  if (value !== null && typeof value === "object") {
    return z.strictObject(Object.fromEntries(Object.entries(value).map(([key, item]) => [key, exactly(item)])));
  }
  return z.literal(value);
}
