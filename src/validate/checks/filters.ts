// Filter paths must exist in every event the consumer handles, and their conditions must be able
// to match: a filter that can never match would silently skip every event. Each condition is
// checked against the field's type (docs/spec.md, "Filters").
import { toIRFields } from "../../ir/field-type.js";
import type { IRField, IRType } from "../../ir/types.js";
import { didYouMean, noSuchField } from "../did-you-mean.js";
import type { SpecPath } from "../../spec/issue.js";
import { ENVELOPE_ATTRIBUTES, FIELD_NAME } from "../../spec/patterns.js";
import type { ConsumerSpec } from "../../spec/schema/consumer.js";
import type { CheckContext } from "./context.js";
import { resolveNamedType, valueProblem, type ResolveType } from "./values.js";
import { versionsOf } from "./walk.js";
import { boundsProblem, orderOf, type Bound, type Order } from "./filter-bounds.js";

type FilterValue = string | number | boolean | null;
type FilterSpec = ConsumerSpec["filter"][string];

/** One condition of a path, with where it is written. */
type Condition =
  | { op: "equals" | "not" | "contains"; value: FilterValue; at: SpecPath }
  | { op: "exists"; value: boolean; at: SpecPath }
  | { op: Bound; value: number | string; at: SpecPath };

const BOUNDS: readonly Bound[] = ["gt", "gte", "lt", "lte"];

export function checkFilters(ctx: CheckContext): void {
  for (const [name, consumer] of Object.entries(ctx.parts.consumers)) {
    for (const [path, spec] of Object.entries(consumer.filter)) {
      const at = ["consumers", name, "filter", path];
      const conditions = conditionsOf(spec, at);
      if (!combinable(ctx, spec, at)) continue;
      if (path === "data" || path.startsWith("data.")) checkDataPath(ctx, consumer, path, at, conditions);
      else checkAttribute(ctx, consumer, path, at, conditions);
    }
  }
}

function conditionsOf(spec: FilterSpec, at: SpecPath): Condition[] {
  if (Array.isArray(spec)) return spec.map((value, i) => ({ op: "equals", value, at: [...at, i] }));
  if (spec === null || typeof spec !== "object") return [{ op: "equals", value: spec, at }];
  const conditions: Condition[] = [];
  if (spec.not !== undefined) {
    const not = spec.not;
    if (Array.isArray(not)) not.forEach((value, i) => conditions.push({ op: "not", value, at: [...at, "not", i] }));
    else conditions.push({ op: "not", value: not, at: [...at, "not"] });
  }
  if (spec.exists !== undefined) conditions.push({ op: "exists", value: spec.exists, at: [...at, "exists"] });
  for (const op of BOUNDS) {
    const value = spec[op];
    if (value !== undefined) conditions.push({ op, value, at: [...at, op] });
  }
  if (spec.contains !== undefined) conditions.push({ op: "contains", value: spec.contains, at: [...at, "contains"] });
  return conditions;
}

/** Conditions that contradict each other, whatever the field: reported once, before the field is looked at. */
function combinable(ctx: CheckContext, spec: FilterSpec, at: SpecPath): boolean {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return true;
  const keys = Object.keys(spec);
  if (keys.length === 0) {
    ctx.error(at, "a filter condition needs at least one of not, exists, gt, gte, lt, lte, contains");
    return false;
  }
  if (spec.exists === false && keys.length > 1) {
    ctx.error([...at, "exists"], "exists: false leaves no value for the other conditions to test");
    return false;
  }
  const problem = boundsProblem(spec);
  if (problem) ctx.error(at, problem);
  return !problem;
}

function checkAttribute(
  ctx: CheckContext,
  consumer: ConsumerSpec,
  attribute: string,
  at: SpecPath,
  conditions: Condition[],
): void {
  if (!(ENVELOPE_ATTRIBUTES as readonly string[]).includes(attribute)) {
    const hint =
      didYouMean(attribute, ENVELOPE_ATTRIBUTES) ?? `use data.<field> or one of ${ENVELOPE_ATTRIBUTES.join(", ")}`;
    ctx.error(at, `unknown filter path '${attribute}'`, { at: "key", hint });
    return;
  }
  // Every attribute is present on a valid event; `time` is a date-time, `dataversion` an integer.
  const order: Order | undefined = attribute === "time" ? "time" : attribute === "dataversion" ? "number" : undefined;
  for (const condition of conditions) {
    const { op, value, at: where } = condition;
    if (op === "exists") {
      if (!value) ctx.error(where, `'${attribute}' is on every event, so exists: false can never match`);
    } else if (op === "contains") {
      ctx.error(where, `'${attribute}' is text, not a list: contains can never match`);
    } else if (op === "equals" || op === "not") {
      if (typeof value !== "string" && typeof value !== "number") {
        ctx.error(where, `'${attribute}' is text, so ${String(value)} can never match`);
      } else if (attribute === "type" && !consumer.on.includes(String(value))) {
        ctx.error(where, `'${value}' is not one of the events this consumer handles`, {
          hint: didYouMean(String(value), consumer.on),
        });
      }
    } else {
      const problem = boundProblem(op, condition.value as number | string, order, `'${attribute}'`);
      if (problem) ctx.error(where, problem);
    }
  }
}

function checkDataPath(
  ctx: CheckContext,
  consumer: ConsumerSpec,
  dataPath: string,
  at: SpecPath,
  conditions: Condition[],
): void {
  const segments = dataPath.split(".").slice(1);
  if (segments.length === 0 || !segments.every((s) => FIELD_NAME.test(s))) {
    ctx.error(at, `filter path '${dataPath}' must be data.<field>, optionally followed by .<field> into objects`, {
      at: "key",
    });
    return;
  }
  const { events } = ctx.parts;
  const resolve = resolveNamedType(ctx.parts);
  for (const type of consumer.on) {
    const event = ctx.parts.partial.events.has(type) ? undefined : events[type];
    const latest = event && versionsOf(type, event).at(-1);
    if (!latest) continue;
    const found = fieldAt(toIRFields(latest.fields), segments, resolve);
    const where = `'${dataPath}' of '${type}'`;
    if (typeof found === "string") {
      ctx.error(at, `filter path '${dataPath}': ${found} in '${type}' (version ${latest.version})`, { at: "key" });
      continue;
    }
    if (!found) continue;
    for (const condition of conditions) {
      const problem = conditionProblem(condition, found, resolve, where);
      if (problem) ctx.error(condition.at, problem);
    }
  }
}

/** Why a condition cannot work on a field, or undefined. */
function conditionProblem(condition: Condition, found: Found, resolve: ResolveType, where: string): string | undefined {
  const { type, optional } = found;
  const { op, value } = condition;
  if (op === "exists") {
    return value || optional || type.nullable
      ? undefined
      : `${where} is required and never null, so exists: false can never match`;
  }
  if (op === "contains") {
    if (type.kind !== "array") return `contains tests lists; ${where} is not a list`;
    if (!isSingle(type.items)) return `${where} holds objects or lists; contains compares single values`;
    const problem = valueProblem(value, type.items, resolve);
    return problem && `contains can never match ${where}: ${problem}`;
  }
  if (!isSingle(type)) {
    const what = type.kind === "array" ? "a list (use contains)" : "an object (use exists, or a path into it)";
    return `${where} is ${what}; ${op === "equals" ? "a filter" : "not"} compares single values`;
  }
  if (op === "equals" || op === "not") {
    const problem = valueProblem(value, type, resolve);
    if (!problem) return undefined;
    return op === "equals"
      ? `filter value can never match ${where}: ${problem}`
      : `not: the value can never occur in ${where}: ${problem}`;
  }
  return boundProblem(op, value as number | string, orderOf(type), where);
}

/** A bound fits a number field as a number, a date-time or date field as one of those. */
function boundProblem(op: Bound, value: number | string, order: Order | undefined, where: string): string | undefined {
  if (!order) return `${op} compares numbers, date-times and dates; ${where} is none of them`;
  if (order === "number" && typeof value !== "number") return `${op} on ${where} needs a number, got '${value}'`;
  if (order !== "number") {
    const form = order === "time" ? "an RFC 3339 date-time" : "a date (YYYY-MM-DD)";
    const valid = typeof value === "string" && (order === "time" ? isDateTime(value) : isDate(value));
    if (!valid) return `${op} on ${where} needs ${form}, got ${typeof value === "string" ? `'${value}'` : value}`;
  }
  return undefined;
}

const isDate = (text: string) => /^\d{4}-\d\d-\d\d$/.test(text) && !Number.isNaN(Date.parse(text));
const isDateTime = (text: string) =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text));

/** Not an object or a list: what equality and bounds compare. */
function isSingle(type: IRType): boolean {
  return type.kind !== "array" && type.kind !== "object" && type.kind !== "ref";
}

interface Found {
  type: IRType;
  /** Some version may leave it out (an optional field on the way). */
  optional: boolean;
}

/** The type at a field path, a message saying why there is none, or undefined when unknown. */
function fieldAt(fields: IRField[], segments: string[], resolve: ResolveType): Found | string | undefined {
  let current: IRField[] | undefined = fields;
  let found: Found | undefined;
  let optional = false;
  for (const [i, segment] of segments.entries()) {
    if (!current) return undefined; // inside a type that failed validation itself
    const field: IRField | undefined = current.find((f) => f.name === segment);
    if (!field) return noSuchField(segment, current);
    // A field inside an optional or nullable object is absent when that object is.
    optional ||= field.optional || (found?.type.nullable ?? false);
    found = { type: field.type, optional };
    if (i === segments.length - 1) break;
    const type = field.type;
    if (type.kind === "array") return `'${segment}' is a list; a path cannot go into its items`;
    if (type.kind === "ref") current = resolve(type.name);
    else if (type.kind === "object") current = type.fields;
    else return `'${segment}' is not an object`;
  }
  return found;
}
