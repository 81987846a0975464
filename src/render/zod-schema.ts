// The zod schema of an IR type (src/ir/zod-table.ts, the same description validation builds with
// zod in src/ir/zod-runtime.ts) printed as code in prettier's layout (src/render/layout.ts).
import type { IRField, IRType, JsonValue } from "../ir/types.js";
import { STRING_FORMATS, zodChain, zodObjectHead, type ZodCall, type ZodChain, type ZodHead } from "../ir/zod-table.js";
import { PATTERN_FLAGS } from "../spec/patterns.js";
import { indent, numberLiteral, scalarLiteral, stringLiteral, type Layout } from "./layout.js";

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

function headExpr(head: ZodHead, layout: Layout): Expr {
  switch (head.of) {
    case "string":
      return flat(head.format ? STRING_FORMATS[head.format].code : "z.string()");
    case "number":
      return flat(head.integer ? "z.int()" : "z.number()");
    case "boolean":
    case "null":
    case "unknown":
      return flat(`z.${head.of}()`);
    case "enum":
      return flat(`z.enum(${scalarArray(head.values, layout)})`);
    case "literals":
      return flat(`z.literal(${scalarArray(head.values, layout)})`);
    case "exactly":
      return flat(exactly(head.value, layout));
    case "array": {
      const items = chainExpr(head.items, layout);
      return {
        head: (depth) => {
          const printed = print(items, depth + 1, layout);
          if (!printed.includes("\n")) return `z.array(${printed})`;
          // A multi-line sole argument moves to its own lines; a chain there is left to prettier.
          if (printed.startsWith("z\n")) layout.canonical = false;
          return `z.array(\n${indent(depth + 1)}${printed},\n${indent(depth)})`;
        },
        calls: [],
      };
    }
    case "object": {
      const fields = head.fields.map(({ name, schema }) => ({ name, expr: chainExpr(schema, layout) }));
      return {
        head: (depth) => {
          if (fields.length === 0) return "z.looseObject({})";
          const pad = indent(depth + 1);
          const lines = fields.map(({ name, expr }) => `${pad}${name}: ${print(expr, depth + 1, layout)},`);
          return `z.looseObject({\n${lines.join("\n")}\n${indent(depth)}})`;
        },
        calls: [],
      };
    }
    case "ref":
      return flat(head.schemaName);
    case "union": {
      const options = head.options.map((option) => print(chainExpr(option, layout), 0, layout));
      if (options.some((option) => option.includes("\n"))) layout.canonical = false;
      return flat(`z.union([${options.join(", ")}])`);
    }
  }
}

function callCode(call: ZodCall, layout: Layout): string {
  switch (call.call) {
    case "min":
    case "max":
      return `.${call.call}(${numberLiteral(call.value, layout)})`;
    case "regex":
      return `.regex(new RegExp(${stringLiteral(call.pattern, layout)}, ${stringLiteral(PATTERN_FLAGS, layout)}))`;
    case "nullable":
    case "optional":
      return `.${call.call}()`;
    case "default":
      return defaultCall(call.value, layout);
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

/** The bounds right after the head stay on one line (`.min(1).max(3)`); each later call gets its own. */
function chainExpr(chain: ZodChain, layout: Layout): Expr {
  const expr = headExpr(chain.head, layout);
  const bounds = chain.calls.findIndex((call) => call.call !== "min" && call.call !== "max");
  const boundCount = bounds === -1 ? chain.calls.length : bounds;
  const calls = chain.calls.map((call) => callCode(call, layout));
  const grouped = boundCount > 0 ? [calls.slice(0, boundCount).join(""), ...calls.slice(boundCount)] : calls;
  return { head: expr.head, calls: [...expr.calls, ...grouped] };
}

export function zodSchema(type: IRType, depth = 0, layout: Layout = { canonical: true }): string {
  return print(chainExpr(zodChain(type), layout), depth, layout);
}

/** `z.looseObject({...})` expanded, one field a line at `depth + 1`. */
export function zodObject(fields: IRField[], depth = 0, layout: Layout = { canonical: true }): string {
  return print(headExpr(zodObjectHead(fields), layout), depth, layout);
}
