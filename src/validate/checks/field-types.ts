// Every field of every payload and named type: field names, type names that resolve, and values
// (enum, const, default) that fit their own type.
import { isBuiltinType, parseFieldKey, parseShorthand, toIRType } from "../../ir/field-type.js";
import { didYouMean } from "../did-you-mean.js";
import type { SpecPath } from "../../spec/issue.js";
import { SHORTHAND_TYPES } from "../../spec/patterns.js";
import type { FieldObjectSpec, FieldsSpec, FieldTypeSpec } from "../../spec/schema/field-type.js";
import type { CheckContext } from "./context.js";
import { resolveNamedType, valueProblem, type ResolveType } from "./values.js";
import { eachFieldType, fieldsMaps } from "./walk.js";

export function checkFieldTypes(ctx: CheckContext): void {
  const { parts } = ctx;
  const resolve = resolveNamedType(parts);
  for (const { fields, path } of fieldsMaps(parts)) {
    checkFieldNames(ctx, fields, path);
    for (const [key, type] of Object.entries(fields)) {
      eachFieldType(type, [...path, key], (nested, at) => checkFieldType(ctx, nested, at, resolve));
    }
  }
}

function checkFieldNames(ctx: CheckContext, fields: FieldsSpec, path: SpecPath): void {
  const seen = new Map<string, string>();
  for (const key of Object.keys(fields)) {
    const { name } = parseFieldKey(key);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      ctx.error([...path, key], `field '${name}' is declared twice (as '${earlier}' and '${key}')`, { at: "key" });
    }
    seen.set(name, key);
  }
}

function checkFieldType(ctx: CheckContext, type: FieldTypeSpec, path: SpecPath, resolve: ResolveType): void {
  const declared = ctx.parts.declared.types;
  if (typeof type === "string") {
    const { base } = parseShorthand(type);
    if (!isBuiltinType(base) && !declared.has(base)) {
      ctx.error(path, `unknown type '${base}'`, {
        hint:
          didYouMean(base, [...SHORTHAND_TYPES, ...declared]) ??
          `built-in types: ${SHORTHAND_TYPES.join(", ")}; or declare it under types:`,
      });
    }
    return;
  }
  if (type.$ref !== undefined && !declared.has(type.$ref)) {
    const pointer = /^#\/(\$defs|definitions|types)\/(.+)$/.exec(type.$ref);
    ctx.error([...path, "$ref"], `unknown type '${type.$ref}'`, {
      hint: pointer
        ? `write the type name: $ref: ${pointer[2]}`
        : (didYouMean(type.$ref, declared) ?? "declare it under types:"),
    });
  }
  checkValues(ctx, type, path, resolve);
}

function checkValues(ctx: CheckContext, type: FieldObjectSpec, path: SpecPath, resolve: ResolveType): void {
  const bare = toIRType({ ...type, enum: undefined, const: undefined, default: undefined });
  if (type.type !== undefined) {
    type.enum?.forEach((value, i) => {
      const problem = valueProblem(value, bare, resolve);
      if (problem) ctx.error([...path, "enum", i], `enum value does not fit the field's type: ${problem}`);
    });
    if (type.const !== undefined) {
      const problem = valueProblem(type.const, bare, resolve);
      if (problem) ctx.error([...path, "const"], `const does not fit the field's type: ${problem}`);
    }
  }
  if (type.default !== undefined) {
    const problem = valueProblem(type.default, toIRType({ ...type, default: undefined }), resolve);
    if (problem) ctx.error([...path, "default"], `default does not match the field's type: ${problem}`);
  }
}
