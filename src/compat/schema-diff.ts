// What changed between two specs' schemas of one event version, seen through everything a
// consumer sees: named types resolved (a type is compared where an event uses it, by structure,
// so renaming one changes nothing), nested objects and list items, and every constraint. A
// change is breaking when services of the older spec and of the newer one would disagree about
// an event: newer consumers rejecting what older producers send, or the reverse. The rules are
// listed in docs/spec.md ("Compatibility between two specs").
import type { IRField, IRNamedType, IRType } from "../ir/types.js";

export interface SchemaChange {
  /** Where in the payload: `total`, `items[].price`, `address.city`. */
  path: string;
  message: string;
}

type Types = ReadonlyMap<string, IRNamedType>;

interface Side {
  types: Types;
}

/** A named type replaced by its structure; anything else as it is. */
function resolve(type: IRType, side: Side): IRType {
  if (type.kind !== "ref") return type;
  const named = side.types.get(type.name);
  return named ? { kind: "object", fields: named.fields, nullable: type.nullable } : type;
}

/** What values a type accepts, in a few words, with named types written out. */
function shape(type: IRType, side: Side): string {
  const resolved = resolve(type, side);
  const nullable = resolved.nullable ? " | null" : "";
  switch (resolved.kind) {
    case "string":
      return (resolved.format ?? "string") + nullable;
    case "number":
      return (resolved.integer ? "integer" : "number") + nullable;
    case "enum":
      return "enum" + nullable;
    case "const":
      return JSON.stringify(resolved.value) + nullable;
    case "array":
      return `${shape(resolved.items, side)}[]${nullable}`;
    case "object":
      return "object" + nullable;
    case "union":
      return resolved.options.map((option) => shape(option, side)).join(" | ") + nullable;
    default:
      return resolved.kind + nullable;
  }
}

/** A field readers can do without: optional, or filled in from its default. */
const mayBeMissing = (field: IRField) => field.optional || field.type.default !== undefined;

const show = (value: unknown) => (typeof value === "string" ? `'${value}'` : JSON.stringify(value));

type Bound = "minLength" | "maxLength" | "minimum" | "maximum" | "minItems" | "maxItems";

/** A bound added, removed or moved; `lower` bounds tighten upwards, upper ones downwards. */
function boundChange(
  name: Bound,
  before: number | undefined,
  after: number | undefined,
  lower: boolean,
): string | undefined {
  if (before === after) return undefined;
  if (before === undefined) return `${name} ${after} added (tightened)`;
  if (after === undefined)
    return `${name} ${before} removed (loosened: consumers of the older spec reject what it now allows)`;
  const tighter = lower ? after > before : after < before;
  return tighter
    ? `${name} tightened from ${before} to ${after}`
    : `${name} loosened from ${before} to ${after} (consumers of the older spec reject what it now allows)`;
}

function enumChanges(before: readonly unknown[], after: readonly unknown[]): string[] {
  const key = (value: unknown) => JSON.stringify(value);
  const now = new Set(after.map(key));
  const was = new Set(before.map(key));
  const removed = before.filter((value) => !now.has(key(value)));
  const added = after.filter((value) => !was.has(key(value)));
  const messages: string[] = [];
  if (removed.length > 0) messages.push(`enum narrowed: ${removed.map(show).join(", ")} no longer allowed`);
  if (added.length > 0) {
    messages.push(`enum widened: ${added.map(show).join(", ")} added (consumers of the older spec reject it)`);
  }
  return messages;
}

/** Constraint changes between two types of the same shape. */
function constraintChanges(was: IRType, is: IRType): string[] {
  const messages: Array<string | undefined> = [];
  if (was.kind === "string" && is.kind === "string") {
    messages.push(boundChange("minLength", was.minLength, is.minLength, true));
    messages.push(boundChange("maxLength", was.maxLength, is.maxLength, false));
    if (was.pattern !== is.pattern) {
      if (was.pattern === undefined) messages.push(`pattern ${show(is.pattern)} added (tightened)`);
      else if (is.pattern === undefined) {
        messages.push(`pattern ${show(was.pattern)} removed (consumers of the older spec reject what it now allows)`);
      } else messages.push(`pattern changed from ${show(was.pattern)} to ${show(is.pattern)}`);
    }
  } else if (was.kind === "number" && is.kind === "number") {
    messages.push(boundChange("minimum", was.minimum, is.minimum, true));
    messages.push(boundChange("maximum", was.maximum, is.maximum, false));
  } else if (was.kind === "array" && is.kind === "array") {
    messages.push(boundChange("minItems", was.minItems, is.minItems, true));
    messages.push(boundChange("maxItems", was.maxItems, is.maxItems, false));
  } else if (was.kind === "enum" && is.kind === "enum") {
    messages.push(...enumChanges(was.values, is.values));
  }
  return messages.filter((message): message is string => message !== undefined);
}

class Differ {
  readonly changes: SchemaChange[] = [];

  constructor(
    private readonly before: Side,
    private readonly after: Side,
  ) {}

  private add(path: string, message: string): void {
    this.changes.push({ path, message });
  }

  fields(was: IRField[], is: IRField[], prefix: string): void {
    const now = new Map(is.map((field) => [field.name, field]));
    const known = new Set(was.map((field) => field.name));
    for (const old of was) {
      const path = `${prefix}${old.name}`;
      const field = now.get(old.name);
      if (!field) {
        this.add(path, "removed");
        continue;
      }
      if (!mayBeMissing(field) && mayBeMissing(old)) this.add(path, "made required");
      if (mayBeMissing(field) && !mayBeMissing(old)) {
        this.add(path, "made optional (consumers of the older spec reject events without it)");
      }
      this.type(old.type, field.type, path);
    }
    for (const field of is) {
      if (!known.has(field.name) && !mayBeMissing(field)) this.add(`${prefix}${field.name}`, "added as required");
    }
  }

  type(oldType: IRType, newType: IRType, path: string): void {
    const was = resolve(oldType, this.before);
    const is = resolve(newType, this.after);
    const [wasShape, isShape] = [shape(was, this.before), shape(is, this.after)];
    if (wasShape !== isShape) {
      this.add(path, `type changed from ${wasShape} to ${isShape}`);
      return;
    }
    for (const message of constraintChanges(was, is)) this.add(path, message);
    if (was.kind === "object" && is.kind === "object") this.fields(was.fields, is.fields, `${path}.`);
    else if (was.kind === "array" && is.kind === "array") this.type(was.items, is.items, `${path}[]`);
    else if (was.kind === "union" && is.kind === "union") {
      // Same shapes, so as many options, in the same order.
      was.options.forEach((option, index) => this.type(option, is.options[index]!, `${path}|${index + 1}`));
    }
  }
}

/** The breaking changes from `before` (with its spec's named types) to `after` (with its own). */
export function schemaChanges(
  before: { fields: IRField[]; types: readonly IRNamedType[] },
  after: { fields: IRField[]; types: readonly IRNamedType[] },
): SchemaChange[] {
  const side = (types: readonly IRNamedType[]): Side => ({ types: new Map(types.map((type) => [type.name, type])) });
  const differ = new Differ(side(before.types), side(after.types));
  differ.fields(before.fields, after.fields, "");
  return differ.changes;
}
