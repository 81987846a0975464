// Zod expressions for IR schema nodes, printed in prettier's layout (src/render/layout.ts); the
// same schemas as src/ir/zod-runtime.ts builds for validation, call for call.
// Objects are loose: unknown fields pass and are kept, so a consumer built from an older spec
// accepts events from a newer producer.
import type { IRField, IRType, JsonValue } from "../ir/types.js";
import { STRING_FORMATS } from "../ir/zod-runtime.js";
import { PATTERN_FLAGS } from "../spec/patterns.js";
import { indent, numberLiteral, scalarLiteral, stringLiteral, type Layout } from "./layout.js";

function bounds(min: number | undefined, max: number | undefined, layout: Layout): string {
  return (
    (min === undefined ? "" : `.min(${numberLiteral(min, layout)})`) +
    (max === undefined ? "" : `.max(${numberLiteral(max, layout)})`)
  );
}

/** An exact JSON value: literals for scalars, strict objects and tuples for the rest. */
function exactly(value: JsonValue, layout: Layout): string {
  if (Array.isArray(value)) return `z.tuple([${value.map((item) => exactly(item, layout)).join(", ")}])`;
  if (value !== null && typeof value === "object") {
    layout.canonical = false;
    return `z.strictObject({ ${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${exactly(item, layout)}`)
      .join(", ")} })`;
  }
  return `z.literal(${scalarLiteral(value, layout)})`;
}

/** `[a, b]` of scalars as prettier prints a short array. */
function scalarArray(values: Array<string | number | boolean | null>, layout: Layout): string {
  return `[${values.map((value) => scalarLiteral(value, layout)).join(", ")}]`;
}

/**
 * A zod expression: a head (`z.looseObject({...})`, `z.array(...)`, or anything on one line),
 * printed at a depth since it may span lines, then method calls that each fit on one line.
 */
interface Expr {
  head: (depth: number) => string;
  calls: string[];
}

const flat = (text: string): Expr => ({ head: () => text, calls: [] });

/**
 * An expression as prettier lays it out: on one line when its head is; else, with calls after a
 * multi-line head, as a member chain with `z` alone and one call a line, one level deeper.
 */
function print(expr: Expr, depth: number, layout: Layout): string {
  const head = expr.head(depth);
  if (!head.includes("\n") || expr.calls.length === 0) {
    const line = head + expr.calls.join("");
    if (breaksAsChain(line)) layout.canonical = false;
    return line;
  }
  const pad = indent(depth + 1);
  const deeper = expr.head(depth + 1);
  return `z\n${pad}${deeper.slice(1)}${expr.calls.map((call) => `\n${pad}${call}`).join("")}`;
}

/**
 * Whether prettier breaks a one-line call chain although it fits: it does for chains of more than
 * two calls when an argument is not "simple", which among what these printers emit means a value
 * nested two levels inside an argument (`z.tuple([z.literal(1)])`: the `1`).
 */
function breaksAsChain(line: string): boolean {
  let depth = 0;
  let calls = 0;
  let complex = false;
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if ("([{".includes(char)) {
      if (depth === 0 && char === "(") calls++;
      depth++;
    } else if (")]}".includes(char)) depth--;
    else if (depth >= 3 && char !== " " && char !== ",") complex = true;
    if (char === '"' || char === "'") quote = char;
  }
  return calls > 2 && complex;
}

function baseExpr(type: IRType, layout: Layout): Expr {
  switch (type.kind) {
    case "string": {
      const pattern =
        type.pattern === undefined
          ? ""
          : `.regex(new RegExp(${stringLiteral(type.pattern, layout)}, ${stringLiteral(PATTERN_FLAGS, layout)}))`;
      return flat(
        `${type.format ? STRING_FORMATS[type.format].code : "z.string()"}${bounds(type.minLength, type.maxLength, layout)}${pattern}`,
      );
    }
    case "number":
      return flat(`${type.integer ? "z.int()" : "z.number()"}${bounds(type.minimum, type.maximum, layout)}`);
    case "boolean":
      return flat("z.boolean()");
    case "null":
      return flat("z.null()");
    case "enum":
      return flat(
        type.values.every((value) => typeof value === "string")
          ? `z.enum(${scalarArray(type.values, layout)})`
          : `z.literal(${scalarArray(type.values, layout)})`,
      );
    case "const":
      return flat(exactly(type.value, layout));
    case "array": {
      const items = zodExpr(type.items, layout);
      const tail = bounds(type.minItems, type.maxItems, layout);
      const head = (depth: number) => {
        const printed = print(items, depth + 1, layout);
        if (!printed.includes("\n")) return `z.array(${printed})`;
        // A multi-line sole argument moves to its own lines; a chain there is left to prettier.
        if (printed.startsWith("z\n")) layout.canonical = false;
        return `z.array(\n${indent(depth + 1)}${printed},\n${indent(depth)})`;
      };
      return { head, calls: tail === "" ? [] : [tail] };
    }
    case "object":
      return { head: (depth) => zodObject(type.fields, depth, layout), calls: [] };
    case "ref":
      return flat(type.schemaName);
    case "union": {
      const options = type.options.map((option) => print(zodExpr(option, layout), 0, layout));
      if (options.some((option) => option.includes("\n"))) layout.canonical = false;
      return flat(`z.union([${options.join(", ")}])`);
    }
    case "unknown":
      return flat("z.unknown()");
  }
}

/** Objects and arrays as defaults are built per use, so no two payloads share one instance. */
function defaultCall(value: JsonValue, layout: Layout): string {
  if (value !== null && typeof value === "object") {
    layout.canonical = false;
    return `.default(() => (${JSON.stringify(value)}))`;
  }
  return `.default(${scalarLiteral(value, layout)})`;
}

function zodExpr(type: IRType, layout: Layout): Expr {
  const expr = baseExpr(type, layout);
  const calls = [...expr.calls];
  if (type.nullable && type.kind !== "null") calls.push(".nullable()");
  if (type.default !== undefined) calls.push(defaultCall(type.default, layout));
  return { head: expr.head, calls };
}

export function zodSchema(type: IRType, depth = 0, layout: Layout = { canonical: true }): string {
  return print(zodExpr(type, layout), depth, layout);
}

function fieldSchema(field: IRField, depth: number, layout: Layout): string {
  const expr = zodExpr(field.type, layout);
  if (field.optional && field.type.default === undefined) expr.calls.push(".optional()");
  return print(expr, depth, layout);
}

/** `z.looseObject({...})` expanded, one field a line at `depth + 1`. */
export function zodObject(fields: IRField[], depth = 0, layout: Layout = { canonical: true }): string {
  if (fields.length === 0) return "z.looseObject({})";
  const pad = indent(depth + 1);
  const lines = fields.map((field) => `${pad}${field.name}: ${fieldSchema(field, depth + 1, layout)},`);
  return `z.looseObject({\n${lines.join("\n")}\n${indent(depth)}})`;
}
