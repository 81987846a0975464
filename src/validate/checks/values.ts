// Does a literal from the spec (a default, an enum, const or filter value) fit a field type? It is
// checked by the zod schema the generated code has for that type (src/ir/zod-runtime.ts), so
// values printed into generated code can never fail their own schema at run time.
import type * as z from "zod";
import { toIRFields } from "../../ir/field-type.js";
import type { IRType } from "../../ir/types.js";
import { runtimeSchema, type ResolveType } from "../../ir/zod-runtime.js";
import type { SpecParts } from "../spec-parts.js";

export type { ResolveType };

/** Fields of a named type; undefined when it is unknown or only partly valid (no judgement then). */
export function resolveNamedType(parts: SpecParts): ResolveType {
  return (name) =>
    Object.hasOwn(parts.types, name) && !parts.partial.types.has(name) ? toIRFields(parts.types[name]!) : undefined;
}

/** Why value does not fit type, or undefined when it does. Unresolvable references are accepted. */
export function valueProblem(value: unknown, type: IRType, resolve: ResolveType): string | undefined {
  const parsed = runtimeSchema(type, resolve).safeParse(value, { reportInput: true, error: expectedKind });
  return parsed.success ? undefined : describe(parsed.error.issues[0]!);
}

const KINDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  null: "null",
  array: "a list",
  object: "an object",
};

/** For a value of the wrong type, what was expected as the message (zod's integer schema says "number"). */
function expectedKind(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  const integer = (issue.inst as z.core.$ZodType | undefined)?._zod.def as { format?: string } | undefined;
  return integer?.format === "safeint" ? KINDS.int : (KINDS[issue.expected] ?? issue.expected);
}

/** zod's issue in the words of evgen's other messages: the value, where it is, what is wrong. */
function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
  const at = where ? ` at ${where}` : "";
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return `'${where}' is missing`;
      if (input === null) return `null is not allowed${at}`;
      return `expected ${issue.message}${at}, got ${show(input)}`;
    case "invalid_format":
      return issue.format === "regex"
        ? `${show(input)}${at} does not match the pattern`
        : `${show(input)}${at} is not a valid ${issue.format}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `expected ${show(issue.values[0])}${at}, got ${show(input)}`
        : `${show(input)}${at} is not one of ${issue.values.map(show).join(", ")}`;
    case "too_small":
      return issue.origin === "array"
        ? `the list${at} has fewer than ${issue.minimum} items`
        : issue.origin === "string"
          ? `${show(input)}${at} is shorter than ${issue.minimum}`
          : `${show(input)}${at} is less than the minimum ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array"
        ? `the list${at} has more than ${issue.maximum} items`
        : issue.origin === "string"
          ? `${show(input)}${at} is longer than ${issue.maximum}`
          : `${show(input)}${at} is more than the maximum ${issue.maximum}`;
    case "invalid_union":
      return input === null ? `null is not allowed${at}` : `${show(input)}${at} matches none of the allowed types`;
    default:
      return `${show(input)}${at}: ${issue.message}`;
  }
}

function show(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "an object";
  return typeof value === "string" ? `'${value}'` : String(value);
}
