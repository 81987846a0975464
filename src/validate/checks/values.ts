// Does a literal from the spec (a default, a filter value) fit a field type? Used so that values
// printed into generated code can never fail their own schema at run time.
import * as z from "zod";
import { toIRFields } from "../../ir/field-type.js";
import type { IRField, IRType, StringFormat } from "../../ir/types.js";
import { safePattern } from "../../spec/regex-safety.js";
import type { SpecParts } from "../spec-parts.js";

export type ResolveType = (name: string) => IRField[] | undefined;

/** Fields of a named type; undefined when it is unknown or only partly valid (no judgement then). */
export function resolveNamedType(parts: SpecParts): ResolveType {
  return (name) =>
    Object.hasOwn(parts.types, name) && !parts.partial.types.has(name) ? toIRFields(parts.types[name]!) : undefined;
}

// The same checks the generated zod schemas make, so a value accepted here is accepted there.
const FORMATS: Record<StringFormat, z.ZodType> = {
  uuid: z.uuid(),
  email: z.email(),
  url: z.url(),
  datetime: z.iso.datetime({ offset: true }),
  date: z.iso.date(),
};

/** Why value does not fit type, or undefined when it does. Unresolvable references are accepted. */
export function valueProblem(value: unknown, type: IRType, resolve: ResolveType, where = ""): string | undefined {
  const at = where ? ` at ${where}` : "";
  if (value === null) {
    const ok =
      type.nullable ||
      type.kind === "null" ||
      type.kind === "unknown" ||
      (type.kind === "enum" && type.values.includes(null));
    return ok || (type.kind === "union" && type.options.some((o) => !valueProblem(null, o, resolve)))
      ? undefined
      : `null is not allowed${at}`;
  }
  switch (type.kind) {
    case "unknown":
      return undefined;
    case "null":
      return `expected null${at}, got ${show(value)}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected true or false${at}, got ${show(value)}`;
    case "string": {
      if (typeof value !== "string") return `expected a string${at}, got ${show(value)}`;
      if (type.minLength !== undefined && value.length < type.minLength)
        return `${show(value)}${at} is shorter than ${type.minLength}`;
      if (type.maxLength !== undefined && value.length > type.maxLength)
        return `${show(value)}${at} is longer than ${type.maxLength}`;
      // A refused pattern is never run (it is reported where it is written).
      if (type.pattern !== undefined && safePattern(type.pattern)?.test(value) === false)
        return `${show(value)}${at} does not match the pattern`;
      if (type.format && !FORMATS[type.format].safeParse(value).success)
        return `${show(value)}${at} is not a valid ${type.format}`;
      return undefined;
    }
    case "number": {
      if (typeof value !== "number")
        return `expected ${type.integer ? "an integer" : "a number"}${at}, got ${show(value)}`;
      if (type.integer && !Number.isInteger(value)) return `expected an integer${at}, got ${value}`;
      if (type.minimum !== undefined && value < type.minimum)
        return `${value}${at} is less than the minimum ${type.minimum}`;
      if (type.maximum !== undefined && value > type.maximum)
        return `${value}${at} is more than the maximum ${type.maximum}`;
      return undefined;
    }
    case "enum":
      return type.values.includes(value as string)
        ? undefined
        : `${show(value)}${at} is not one of ${type.values.map(show).join(", ")}`;
    case "const":
      return JSON.stringify(value) === JSON.stringify(type.value)
        ? undefined
        : `expected ${show(type.value)}${at}, got ${show(value)}`;
    case "array": {
      if (!Array.isArray(value)) return `expected a list${at}, got ${show(value)}`;
      if (type.minItems !== undefined && value.length < type.minItems)
        return `the list${at} has fewer than ${type.minItems} items`;
      if (type.maxItems !== undefined && value.length > type.maxItems)
        return `the list${at} has more than ${type.maxItems} items`;
      for (const [i, item] of value.entries()) {
        const problem = valueProblem(item, type.items, resolve, `${where}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case "object":
      return objectProblem(value, type.fields, resolve, where);
    case "ref": {
      const fields = resolve(type.name);
      return fields ? objectProblem(value, fields, resolve, where) : undefined;
    }
    case "union":
      return type.options.some((option) => !valueProblem(value, option, resolve, where))
        ? undefined
        : `${show(value)}${at} matches none of the allowed types`;
  }
}

function objectProblem(value: unknown, fields: IRField[], resolve: ResolveType, where: string): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `expected an object${where ? ` at ${where}` : ""}, got ${show(value)}`;
  }
  const record = value as Record<string, unknown>;
  for (const field of fields) {
    const path = where ? `${where}.${field.name}` : field.name;
    if (!Object.hasOwn(record, field.name)) {
      if (!field.optional && field.type.default === undefined) return `'${path}' is missing`;
      continue;
    }
    const problem = valueProblem(record[field.name], field.type, resolve, path);
    if (problem) return problem;
  }
  return undefined;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "an object";
  return typeof value === "string" ? `'${value}'` : String(value);
}
