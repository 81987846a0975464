// A consumer's filter, compiled once into one predicate over decoded events. Each path holds a set
// of conditions that must all hold: equality or one-of, not, exists, bounds (numbers; date-times
// and dates as points in time) and contains for lists. docs/spec.md, "Filters", has the rules.
import { isDeepStrictEqual } from "node:util";
import type { EvgenEvent } from "./handlers.js";

export interface FilterDef {
  /** Dot path into the event, e.g. "data.channel", or an envelope attribute such as "type". */
  path: string;
  /** The value equals one of these. */
  values?: unknown[];
  /** The value equals none of these (an absent value passes). */
  not?: unknown[];
  /** true: present and not null; false: absent or null. */
  exists?: boolean;
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  /** The value is a list holding this. */
  contains?: unknown;
}

type Test = (value: unknown) => boolean;

const isIn = (values: unknown[]) => (value: unknown) => values.some((candidate) => isDeepStrictEqual(candidate, value));

/**
 * A number for a bound: numbers as they are (and, read from an envelope attribute, which is text
 * on the wire, numeric text), date-time and date strings as epoch milliseconds (validation allows
 * string bounds only on such fields). NaN for anything else, which no bound passes.
 */
function ordinal(value: unknown, numeric: boolean, wire: boolean): number {
  if (!numeric) return typeof value === "string" ? Date.parse(value) : NaN;
  if (typeof value === "number") return value;
  return wire && typeof value === "string" && value !== "" ? Number(value) : NaN;
}

function boundTests(def: FilterDef, wire: boolean): Test[] {
  const tests: Test[] = [];
  const add = (bound: number | string | undefined, holds: (value: number, limit: number) => boolean) => {
    if (bound === undefined) return;
    const numeric = typeof bound === "number";
    const limit = ordinal(bound, numeric, true);
    tests.push((value) => {
      const n = ordinal(value, numeric, wire);
      return !Number.isNaN(n) && holds(n, limit);
    });
  };
  add(def.gt, (n, limit) => n > limit);
  add(def.gte, (n, limit) => n >= limit);
  add(def.lt, (n, limit) => n < limit);
  add(def.lte, (n, limit) => n <= limit);
  return tests;
}

function conditionTests(def: FilterDef): Test[] {
  const wire = !def.path.startsWith("data.") && def.path !== "data";
  const tests: Test[] = [];
  if (def.values) tests.push(isIn(def.values));
  if (def.exists !== undefined) {
    const wanted = def.exists;
    tests.push((value) => (value !== undefined && value !== null) === wanted);
  }
  if (def.not) {
    const excluded = isIn(def.not);
    tests.push((value) => !excluded(value));
  }
  tests.push(...boundTests(def, wire));
  if (def.contains !== undefined) {
    const wanted = isIn([def.contains]);
    tests.push((value) => Array.isArray(value) && value.some(wanted));
  }
  return tests;
}

/** Reads a path: `data.a.b` walks the payload; an envelope attribute reads as on the wire, a string. */
function reader(path: string): (event: EvgenEvent) => unknown {
  const [head, ...rest] = path.split(".");
  if (head !== "data") {
    return (event) => {
      const value = (event as unknown as Record<string, unknown>)[head!];
      return value === undefined ? undefined : String(value);
    };
  }
  return (event) => {
    let node: unknown = event.data;
    for (const part of rest) {
      if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  };
}

/** A predicate for the whole filter; undefined when there is nothing to test. */
export function compileFilter(filter: readonly FilterDef[]): ((event: EvgenEvent) => boolean) | undefined {
  if (filter.length === 0) return undefined;
  const paths = filter.map((def) => ({ read: reader(def.path), tests: conditionTests(def) }));
  return (event) =>
    paths.every(({ read, tests }) => {
      const value = read(event);
      return tests.every((test) => test(value));
    });
}
