// Each event: a payload given exactly once (schema or versions) and a usable message key.
import { parseFieldKey, toIRType } from "../../ir/field-type.js";
import type { IRType } from "../../ir/types.js";
import { didYouMean } from "../did-you-mean.js";
import type { EventSpec } from "../../spec/schema/event.js";
import type { CheckContext } from "./context.js";
import { versionsOf } from "./walk.js";

export function checkEvents(ctx: CheckContext): void {
  for (const [type, event] of Object.entries(ctx.parts.events)) {
    if (ctx.parts.partial.events.has(type)) continue;
    checkPayload(ctx, type, event);
    if (event.key !== undefined) checkKey(ctx, type, event, event.key);
  }
}

function checkPayload(ctx: CheckContext, type: string, event: EventSpec): void {
  if (event.schema !== undefined && event.versions !== undefined) {
    ctx.error(["events", type, "versions"], "give either schema or versions, not both", {
      at: "key",
      hint: "schema is the shorthand for versions: { 1: ... }",
    });
  } else if (event.schema === undefined && event.versions === undefined) {
    ctx.error(["events", type], `event '${type}' needs a schema (or versions)`, { at: "key" });
  } else if (event.versions !== undefined && Object.keys(event.versions).length === 0) {
    ctx.error(["events", type, "versions"], "versions must list at least one version");
  }
}

function checkKey(ctx: CheckContext, type: string, event: EventSpec, key: string): void {
  const path = ["events", type, "key"];
  for (const { version, fields } of versionsOf(type, event)) {
    const required = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (required === undefined && !Object.hasOwn(fields, `${key}?`)) {
      const names = Object.keys(fields).map((k) => parseFieldKey(k).name);
      ctx.error(path, `key '${key}' is not a field of version ${version}`, { hint: didYouMean(key, names) });
    } else if (required === undefined) {
      ctx.error(path, `key '${key}' must be a required field, but version ${version} declares it as '${key}?'`);
    } else if (!isScalarKey(toIRType(required))) {
      ctx.error(path, `key '${key}' must be a string, number or integer field (version ${version})`);
    }
  }
}

function isScalarKey(type: IRType): boolean {
  if (type.nullable) return false;
  switch (type.kind) {
    case "string":
    case "number":
      return true;
    case "enum":
      return type.values.every((v) => typeof v === "string" || typeof v === "number");
    case "const":
      return typeof type.value === "string" || typeof type.value === "number";
    default:
      return false;
  }
}
