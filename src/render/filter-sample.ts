// The value a scaffolded handler test puts at a filter path so that its example event passes the
// consumer's filter: the first of a one-of, a list holding what `contains` asks for, a value
// inside the bounds. Undefined means "leave the field out" (exists: false).
import type { IRField, IRFilter, IRNamedType, IRType, JsonValue } from "../ir/types.js";
import { sampleValue } from "./sample.js";

type NamedTypes = ReadonlyMap<string, IRNamedType>;

const DAY_MS = 86_400_000;

/** The field type at `data.a.b` in these fields, when the path leads to one. */
export function typeAtPath(fields: IRField[], path: string, types: NamedTypes): IRType | undefined {
  let current: IRField[] | undefined = fields;
  let type: IRType | undefined;
  for (const segment of path.split(".").slice(1)) {
    type = current?.find((field) => field.name === segment)?.type;
    if (!type) return undefined;
    current = type.kind === "object" ? type.fields : type.kind === "ref" ? types.get(type.name)?.fields : undefined;
  }
  return type;
}

export function filterSample(
  filter: IRFilter,
  current: JsonValue | undefined,
  type: IRType | undefined,
  types: NamedTypes,
): JsonValue | undefined {
  if (filter.values) return filter.values[0];
  if (filter.exists === false) return undefined;
  if (filter.contains !== undefined) return [filter.contains];
  let value = current ?? (type ? sampleValue(type, types) : undefined);
  value = withinBounds(filter, value);
  if (filter.not?.some((excluded) => JSON.stringify(excluded) === JSON.stringify(value)) && type?.kind === "enum") {
    value = type.values.find((candidate) => !filter.not!.includes(candidate)) ?? value;
  }
  return value;
}

function withinBounds(filter: IRFilter, value: JsonValue | undefined): JsonValue | undefined {
  const lower = filter.gte ?? filter.gt;
  const upper = filter.lte ?? filter.lt;
  if (lower === undefined && upper === undefined) return value;
  const asDate = typeof (lower ?? upper) === "string";
  const toNumber = (bound: number | string) => (typeof bound === "number" ? bound : Date.parse(bound));
  const step = asDate ? DAY_MS : 1;
  const low = lower === undefined ? undefined : toNumber(lower) + (filter.gt !== undefined ? step : 0);
  const high = upper === undefined ? undefined : toNumber(upper) - (filter.lt !== undefined ? step : 0);
  let candidate = low ?? high!;
  if (low !== undefined && high !== undefined && candidate > high) {
    candidate = (toNumber(lower!) + toNumber(upper!)) / 2;
  }
  if (!asDate) return candidate;
  const text = new Date(candidate).toISOString();
  return (lower ?? upper)!.toString().length === 10 ? text.slice(0, 10) : text;
}
