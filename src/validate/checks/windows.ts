// Window consumers (docs/spec.md, windowed aggregation): `by` names a required scalar field of
// every version of every event the consumer handles (each event has exactly one window key), and
// the consumer emits exactly one event, the summary of a window.
import { toIRFields } from "../../ir/field-type.js";
import type { IRField, IRType } from "../../ir/types.js";
import { noSuchField } from "../did-you-mean.js";
import { FIELD_NAME } from "../../spec/patterns.js";
import type { ConsumerSpec } from "../../spec/schema/consumer.js";
import type { CheckContext } from "./context.js";
import { resolveNamedType, type ResolveType } from "./values.js";
import { versionsOf } from "./walk.js";

const SCALAR_KINDS = new Set<IRType["kind"]>(["string", "number", "boolean", "enum", "const"]);

export function checkWindows(ctx: CheckContext): void {
  for (const [name, consumer] of Object.entries(ctx.parts.consumers)) {
    const window = consumer.window;
    if (!window) continue;
    const at = ["consumers", name, "window"];
    if (consumer.emits.length !== 1) {
      ctx.error(
        ["consumers", name, "emits"],
        `a window consumer emits exactly one event, its summary (found ${consumer.emits.length})`,
        { hint: "list the summary event under emits; publish others from a consumer of the summary" },
      );
    }
    if (consumer.idempotency.store !== "memory") {
      ctx.warn(
        ["consumers", name, "idempotency"],
        `idempotency is not used by a window consumer: its window store (${window.store}) records the events added`,
      );
    }
    checkBy(ctx, consumer, window.by, [...at, "by"]);
  }
}

function checkBy(ctx: CheckContext, consumer: ConsumerSpec, by: string, at: Array<string | number>): void {
  const segments = by.split(".");
  if (segments[0] !== "data" || segments.length < 2 || !segments.slice(1).every((s) => FIELD_NAME.test(s))) {
    ctx.error(at, `window.by '${by}' must be data.<field>, optionally followed by .<field> into objects`);
    return;
  }
  const resolve = resolveNamedType(ctx.parts);
  for (const type of consumer.on) {
    if (ctx.parts.partial.events.has(type) || !Object.hasOwn(ctx.parts.events, type)) continue;
    for (const version of versionsOf(type, ctx.parts.events[type]!)) {
      const problem = keyProblem(toIRFields(version.fields), segments.slice(1), resolve);
      if (problem) ctx.error(at, `window.by '${by}': ${problem} in '${type}' (version ${version.version})`);
    }
  }
}

/** Why the path does not lead to a required, non-null scalar, or undefined when it does (or is unknown). */
function keyProblem(fields: IRField[], segments: string[], resolve: ResolveType): string | undefined {
  let current: IRField[] | undefined = fields;
  for (const [i, segment] of segments.entries()) {
    if (!current) return undefined; // inside a named type that failed validation itself
    const field: IRField | undefined = current.find((f) => f.name === segment);
    if (!field) return noSuchField(segment, current);
    if (field.optional) return `'${segment}' is optional, so some events would have no window key`;
    if (field.type.nullable) return `'${segment}' may be null, so some events would have no window key`;
    const type = field.type;
    const last = i === segments.length - 1;
    if (last) {
      return SCALAR_KINDS.has(type.kind) ? undefined : `'${segment}' is not a string, number or boolean`;
    }
    if (type.kind === "ref") current = resolve(type.name);
    else if (type.kind === "object") current = type.fields;
    else return `'${segment}' is not an object`;
  }
  return undefined;
}
