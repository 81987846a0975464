// Names that JavaScript objects already have (`__proto__`, `constructor`, `toString`, ...) are
// refused wherever a spec name becomes an object key: field and property names (optional or not),
// consumer names, segments of event types and of filter paths. See OBJECT_MEMBER_NAMES.
import { parseFieldKey } from "../../ir/field-type.js";
import type { SpecPath } from "../../spec/issue.js";
import { OBJECT_MEMBER_NAMES } from "../../spec/patterns.js";
import type { CheckContext } from "./context.js";
import { eachFieldType, fieldsMaps } from "./walk.js";

const HINT = "JavaScript objects already have a member of that name; choose another";

export function checkReservedNames(ctx: CheckContext): void {
  const refuse = (path: SpecPath, what: string, name: string) =>
    ctx.error(path, `${what} '${name}' cannot be used: it is a name every JavaScript object has`, {
      at: "key",
      hint: HINT,
    });
  for (const { fields, path } of fieldsMaps(ctx.parts)) {
    for (const [key, type] of Object.entries(fields)) {
      const { name } = parseFieldKey(key);
      if (OBJECT_MEMBER_NAMES.has(name)) refuse([...path, key], "field name", name);
      eachFieldType(type, [...path, key], (nested, at) => {
        if (typeof nested === "string") return;
        for (const property of Object.keys(nested.properties ?? {})) {
          if (OBJECT_MEMBER_NAMES.has(property)) refuse([...at, "properties", property], "property name", property);
        }
      });
    }
  }
  for (const type of ctx.parts.declared.events) {
    const segment = type.split(".").find((part) => OBJECT_MEMBER_NAMES.has(part));
    if (segment !== undefined) refuse(["events", type], `event type '${type}' has the segment`, segment);
  }
  for (const [name, consumer] of Object.entries(ctx.parts.consumers)) {
    if (OBJECT_MEMBER_NAMES.has(name)) refuse(["consumers", name], "consumer name", name);
    for (const filterPath of Object.keys(consumer.filter)) {
      const segment = filterPath.split(".").find((part) => OBJECT_MEMBER_NAMES.has(part));
      if (segment !== undefined) {
        refuse(["consumers", name, "filter", filterPath], `filter path '${filterPath}' has the segment`, segment);
      }
    }
  }
}
