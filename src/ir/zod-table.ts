// The zod schema of an IR type, as data: which zod constructor and which method calls, in order.
// It is the one place that decides the schema: src/ir/zod-runtime.ts builds it with zod (for
// validation of the spec's literals) and src/render/zod-schema.ts prints it into the generated
// project, so the two cannot drift apart.
import * as z from "zod";
import type { IRField, IRType, JsonValue, StringFormat } from "./types.js";

/** Each string format: its constructor as the generated code writes it and as zod builds it. */
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

export type Scalar = string | number | boolean | null;

/** A zod constructor call. */
export type ZodHead =
  | { of: "string"; format?: StringFormat }
  | { of: "number"; integer: boolean }
  | { of: "boolean" }
  | { of: "null" }
  | { of: "unknown" }
  /** `z.enum([...])`: string values only. */
  | { of: "enum"; values: string[] }
  /** `z.literal([...])`: any scalars. */
  | { of: "literals"; values: Scalar[] }
  /** An exact JSON value: literals for scalars, strict objects and tuples for the rest. */
  | { of: "exactly"; value: JsonValue }
  | { of: "array"; items: ZodChain }
  /** `z.looseObject({...})`: unknown fields pass and are kept, so a consumer built from an older spec accepts a newer producer's events. */
  | { of: "object"; fields: ZodField[] }
  /** A named type's schema (`schemaName` in the generated code). */
  | { of: "ref"; name: string; schemaName: string }
  | { of: "union"; options: ZodChain[] };

/** A method called on the schema built so far. Bounds (`min`, `max`) come first, right after the head. */
export type ZodCall =
  | { call: "min" | "max"; value: number }
  /** A pattern (src/spec/patterns.ts flags); validation leaves out one refused as unsafe: it never runs. */
  | { call: "regex"; pattern: string }
  | { call: "nullable" }
  | { call: "optional" }
  /** Objects and arrays are built per use, so no two payloads share one instance. */
  | { call: "default"; value: JsonValue };

export interface ZodChain {
  head: ZodHead;
  calls: ZodCall[];
}

export interface ZodField {
  name: string;
  schema: ZodChain;
}

function bounds(min: number | undefined, max: number | undefined): ZodCall[] {
  return [
    ...(min === undefined ? [] : [{ call: "min" as const, value: min }]),
    ...(max === undefined ? [] : [{ call: "max" as const, value: max }]),
  ];
}

function base(type: IRType): ZodChain {
  switch (type.kind) {
    case "string":
      return {
        head: { of: "string", ...(type.format ? { format: type.format } : {}) },
        calls: [
          ...bounds(type.minLength, type.maxLength),
          ...(type.pattern === undefined ? [] : [{ call: "regex" as const, pattern: type.pattern }]),
        ],
      };
    case "number":
      return { head: { of: "number", integer: type.integer }, calls: bounds(type.minimum, type.maximum) };
    case "boolean":
    case "null":
    case "unknown":
      return { head: { of: type.kind }, calls: [] };
    case "enum": {
      const { values } = type;
      const strings = values.every((value): value is string => typeof value === "string");
      return { head: strings ? { of: "enum", values } : { of: "literals", values }, calls: [] };
    }
    case "const":
      return { head: { of: "exactly", value: type.value }, calls: [] };
    case "array":
      return { head: { of: "array", items: zodChain(type.items) }, calls: bounds(type.minItems, type.maxItems) };
    case "object":
      return { head: zodObjectHead(type.fields), calls: [] };
    case "ref":
      return { head: { of: "ref", name: type.name, schemaName: type.schemaName }, calls: [] };
    case "union":
      return { head: { of: "union", options: type.options.map(zodChain) }, calls: [] };
  }
}

/** The schema of a value of `type`. */
export function zodChain(type: IRType): ZodChain {
  const { head, calls } = base(type);
  if (type.nullable && type.kind !== "null") calls.push({ call: "nullable" });
  if (type.default !== undefined) calls.push({ call: "default", value: type.default });
  return { head, calls };
}

/** The schema of a field: optional when it may be missing and has no default to fill it in. */
export function zodFieldChain(field: IRField): ZodChain {
  const chain = zodChain(field.type);
  if (field.optional && field.type.default === undefined) chain.calls.push({ call: "optional" });
  return chain;
}

export function zodObjectHead(fields: IRField[]): ZodHead {
  return { of: "object", fields: fields.map((field) => ({ name: field.name, schema: zodFieldChain(field) })) };
}
