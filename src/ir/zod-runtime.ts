// The zod schema of an IR type, built with zod itself from its description (src/ir/zod-table.ts),
// the one src/render/zod-schema.ts prints into the generated project. Validation checks the spec's
// literals (defaults, enum, const and filter values) with it, so a value evgen accepts is one the
// generated service accepts (test/ir/zod-runtime.test.ts runs both on the same values).
import * as z from "zod";
import { safePattern } from "../spec/regex-safety.js";
import type { IRField, IRType, JsonValue } from "./types.js";
import { STRING_FORMATS, zodChain, zodObjectHead, type ZodChain, type ZodHead } from "./zod-table.js";

/** The fields of a named type; undefined when unknown (its schema then accepts anything). */
export type ResolveType = (name: string) => IRField[] | undefined;

/** The schema the generated code has for `type`. A pattern refused as unsafe is left out: it never runs. */
export function runtimeSchema(type: IRType, resolve: ResolveType): z.ZodType {
  return new Builder(resolve).chain(zodChain(type));
}

/** The zod types whose methods a chain calls, each on the heads that have it. */
type Bounded = z.ZodString | z.ZodNumber | z.ZodArray<z.ZodType>;

class Builder {
  private readonly named = new Map<string, z.ZodType>();

  constructor(private readonly resolve: ResolveType) {}

  chain({ head, calls }: ZodChain): z.ZodType {
    let schema = this.head(head);
    for (const call of calls) {
      switch (call.call) {
        case "min":
          schema = (schema as Bounded).min(call.value);
          break;
        case "max":
          schema = (schema as Bounded).max(call.value);
          break;
        case "regex": {
          const pattern = safePattern(call.pattern);
          if (pattern) schema = (schema as z.ZodString).regex(pattern);
          break;
        }
        case "nullable":
          schema = schema.nullable();
          break;
        case "optional":
          schema = schema.optional();
          break;
        case "default": {
          const { value } = call;
          schema = schema.default(() => structuredClone(value) as never);
          break;
        }
      }
    }
    return schema;
  }

  private head(head: ZodHead): z.ZodType {
    switch (head.of) {
      case "string":
        return head.format ? STRING_FORMATS[head.format].schema() : z.string();
      case "number":
        return head.integer ? z.int() : z.number();
      case "boolean":
        return z.boolean();
      case "null":
        return z.null();
      case "unknown":
        return z.unknown();
      case "enum":
        return z.enum(head.values as [string, ...string[]]);
      case "literals":
        return z.literal(head.values);
      case "exactly":
        return exactly(head.value);
      case "array":
        return z.array(this.chain(head.items));
      case "object":
        return z.looseObject(Object.fromEntries(head.fields.map((field) => [field.name, this.chain(field.schema)])));
      case "ref": {
        let schema = this.named.get(head.name);
        if (!schema) {
          const fields = this.resolve(head.name);
          schema = fields ? z.lazy(() => this.head(zodObjectHead(fields))) : z.unknown();
          this.named.set(head.name, schema);
        }
        return schema;
      }
      case "union":
        return z.union(head.options.map((option) => this.chain(option)));
    }
  }
}

function exactly(value: JsonValue): z.ZodType {
  if (Array.isArray(value)) return z.tuple(value.map(exactly) as [z.ZodType, ...z.ZodType[]]);
  if (value !== null && typeof value === "object") {
    return z.strictObject(Object.fromEntries(Object.entries(value).map(([key, item]) => [key, exactly(item)])));
  }
  return z.literal(value);
}
