// The parts of a spec that semantic checks read. When the shape check failed somewhere, the parts
// that are still well-formed are salvaged so every other problem is reported in the same run.
import type * as z from "zod";
import { consumerSchema, type ConsumerSpec } from "../spec/schema/consumer.js";
import { eventSchema, type EventSpec } from "../spec/schema/event.js";
import { fieldsMap, type FieldsSpec } from "../spec/schema/field-type.js";
import { BROKER_NAMES, type BrokerName } from "../spec/schema/brokers.js";
import { specSchema, type Spec } from "../spec/schema/spec.js";

export interface SpecParts {
  service?: string;
  broker?: Spec["broker"];
  /** Each broker's block of the spec, under its name (src/broker/<broker>/spec.ts). */
  blocks: { [N in BrokerName]?: Spec[N] };
  types: Record<string, FieldsSpec>;
  events: Record<string, EventSpec>;
  consumers: Record<string, ConsumerSpec>;
  /** Names written in the file, well-formed or not, so a broken entry is not also reported as missing. */
  declared: { types: Set<string>; events: Set<string> };
  /** Entries kept with their broken parts removed: checks that need all of an entry skip them. */
  partial: { types: Set<string>; events: Set<string> };
  /** False when broken entries were left out; checks that need the whole spec then stay quiet. */
  complete: boolean;
}

export function partsOf(spec: Spec): SpecParts {
  return {
    ...spec,
    blocks: Object.fromEntries(BROKER_NAMES.map((name) => [name, spec[name]])),
    declared: { types: new Set(Object.keys(spec.types)), events: new Set(Object.keys(spec.events)) },
    partial: { types: new Set(), events: new Set() },
    complete: true,
  };
}

export function salvage(raw: unknown): SpecParts {
  const root = isRecord(raw) ? raw : {};
  const header = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  };
  const shape = specSchema.shape;
  const types = entries(root.types, fieldsMap);
  const events = entries(root.events, eventSchema);
  return {
    service: header(shape.service, root.service),
    broker: header(shape.broker, root.broker),
    blocks: Object.fromEntries(BROKER_NAMES.map((name) => [name, header<unknown>(shape[name], root[name])])),
    types: types.valid,
    events: events.valid,
    consumers: entries(root.consumers, consumerSchema).valid,
    declared: { types: new Set(keysOf(root.types)), events: new Set(keysOf(root.events)) },
    partial: { types: types.partial, events: events.partial },
    complete: false,
  };
}

function entries<T>(section: unknown, schema: z.ZodType<T>): { valid: Record<string, T>; partial: Set<string> } {
  const valid: Record<string, T> = {};
  const partial = new Set<string>();
  if (!isRecord(section)) return { valid, partial };
  for (const [name, value] of Object.entries(section)) {
    const pruned = prune(schema, value);
    if (pruned === undefined) continue;
    valid[name] = pruned.value;
    if (pruned.partial) partial.add(name);
  }
  return { valid, partial };
}

/**
 * Parses value after removing what is broken in it (a bad field, an unknown key, a bad list item),
 * so the rest of an entry is still checked. Undefined when a required part is broken.
 */
function prune<T>(schema: z.ZodType<T>, value: unknown): { value: T; partial: boolean } | undefined {
  let current = value;
  for (let round = 0; round < 5; round++) {
    const parsed = schema.safeParse(current);
    if (parsed.success) return { value: parsed.data, partial: round > 0 };
    current = structuredClone(current);
    const targets = parsed.error.issues.flatMap((issue) => {
      const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
      return issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...path, k]) : [path];
    });
    // Later list items first, so removing one does not shift the others.
    const unique = [...new Map(targets.map((t) => [JSON.stringify(t), t])).values()];
    for (const target of unique.sort(laterFirst)) if (!remove(current, target)) return undefined;
  }
  return undefined;
}

function laterFirst(a: Array<string | number>, b: Array<string | number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x !== y) return typeof x === "number" && typeof y === "number" ? y - x : 0;
  }
  return b.length - a.length;
}

/** Deletes the value at path; false when there is nothing there to delete (a required key is missing). */
function remove(root: unknown, path: Array<string | number>): boolean {
  const parent = path
    .slice(0, -1)
    .reduce<unknown>(
      (node, key) => (isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined),
      root,
    );
  const last = path.at(-1);
  if (last === undefined || !(isRecord(parent) || Array.isArray(parent)) || !Object.hasOwn(parent, last)) return false;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return true;
}

function keysOf(section: unknown): string[] {
  return isRecord(section) ? Object.keys(section) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
