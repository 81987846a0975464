// Filter paths must exist in every event the consumer handles, and their values must be able to
// match: a filter that can never match would silently skip every event.
import { toIRFields } from "../../ir/field-type.js";
import type { IRField, IRType } from "../../ir/types.js";
import { didYouMean } from "../did-you-mean.js";
import type { SpecPath } from "../../spec/issue.js";
import { ENVELOPE_ATTRIBUTES, FIELD_NAME } from "../../spec/patterns.js";
import type { ConsumerSpec } from "../../spec/schema/consumer.js";
import type { CheckContext } from "./context.js";
import { resolveNamedType, valueProblem, type ResolveType } from "./values.js";
import { versionsOf } from "./walk.js";

type FilterValue = string | number | boolean | null;

export function checkFilters(ctx: CheckContext): void {
  for (const [name, consumer] of Object.entries(ctx.parts.consumers)) {
    for (const [path, value] of Object.entries(consumer.filter)) {
      const at = ["consumers", name, "filter", path];
      const values = (Array.isArray(value) ? value : [value]).map((v, i) => ({
        value: v,
        path: Array.isArray(value) ? [...at, i] : at,
      }));
      if (path === "data" || path.startsWith("data.")) checkDataPath(ctx, consumer, path, at, values);
      else checkAttribute(ctx, consumer, path, at, values);
    }
  }
}

function checkAttribute(
  ctx: CheckContext,
  consumer: ConsumerSpec,
  attribute: string,
  at: SpecPath,
  values: Array<{ value: FilterValue; path: SpecPath }>,
): void {
  if (!(ENVELOPE_ATTRIBUTES as readonly string[]).includes(attribute)) {
    const hint =
      didYouMean(attribute, ENVELOPE_ATTRIBUTES) ?? `use data.<field> or one of ${ENVELOPE_ATTRIBUTES.join(", ")}`;
    ctx.error(at, `unknown filter path '${attribute}'`, { at: "key", hint });
    return;
  }
  for (const { value, path } of values) {
    if (typeof value !== "string" && typeof value !== "number") {
      ctx.error(path, `'${attribute}' is text, so ${String(value)} can never match`);
    } else if (attribute === "type" && !consumer.on.includes(String(value))) {
      ctx.error(path, `'${value}' is not one of the events this consumer handles`, {
        hint: didYouMean(String(value), consumer.on),
      });
    }
  }
}

function checkDataPath(
  ctx: CheckContext,
  consumer: ConsumerSpec,
  dataPath: string,
  at: SpecPath,
  values: Array<{ value: FilterValue; path: SpecPath }>,
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
    if (typeof found === "string") {
      ctx.error(at, `filter path '${dataPath}': ${found} in '${type}' (version ${latest.version})`, { at: "key" });
      continue;
    }
    if (!found) continue;
    for (const { value, path } of values) {
      const problem = valueProblem(value, found, resolve);
      if (problem) ctx.error(path, `filter value can never match '${dataPath}' of '${type}': ${problem}`);
    }
  }
}

/** The type at a field path, a message saying why there is none, or undefined when unknown. */
function fieldAt(fields: IRField[], segments: string[], resolve: ResolveType): IRType | string | undefined {
  let current: IRField[] | undefined = fields;
  let type: IRType | undefined;
  for (const [i, segment] of segments.entries()) {
    if (!current) return undefined; // inside a type that failed validation itself
    const field: IRField | undefined = current.find((f) => f.name === segment);
    if (!field) {
      const suggestion = didYouMean(
        segment,
        current.map((f) => f.name),
      );
      return `there is no field '${segment}'${suggestion ? ` (${suggestion})` : ""}`;
    }
    type = field.type;
    const last = i === segments.length - 1;
    if (type.kind === "array") return `'${segment}' is a list; a filter compares single values`;
    if (type.kind === "ref") current = resolve(type.name);
    else if (type.kind === "object") current = type.fields;
    else if (!last) return `'${segment}' is not an object`;
    if (last && (type.kind === "ref" || type.kind === "object"))
      return `'${segment}' is an object; a filter compares single values`;
  }
  return type;
}
