// A JSON Schema -> an evgen field type; $refs to object schemas under components/schemas become
// named types, other $refs are inlined.
import { toIRType } from "../../ir/field-type.js";
import type { FieldObjectSpec, FieldTypeSpec } from "../../spec/schema/field-type.js";
import { valueProblem } from "../../validate/checks/values.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Json, type Obj } from "./json.js";
import { mapsToFields, objectFields, typeNameFor } from "./object-fields.js";
import { schemaObject } from "./schema-object.js";
import { ANY, shorthandObject, simplify } from "./shorthand.js";

/** Where an object schema becomes a named type: components/schemas, or the top of a schema file. */
const NAMED_SCHEMA = /^(?:[^#]*#\/components\/schemas\/[^/]+|[^#]+#\/[^/]+)$/;

/** The field type (shorthand where it says the same), or undefined when nothing can be imported. */
export function fieldType(ctx: ImportContext, node: Json, path: string, stack: string[]): FieldTypeSpec | undefined {
  if (node === true) return ANY;
  if (node === false) {
    ctx.warn(path, "a schema that accepts nothing is not imported");
    return undefined;
  }
  if (!isObj(node)) {
    ctx.warn(path, "not a schema: not imported");
    return undefined;
  }
  if (typeof node.$ref === "string") return refType(ctx, node, path, stack);
  return simplify(fittingDefault(ctx, schemaObject(ctx, node, path, stack), path));
}

/**
 * JSON Schema does not require a default to fit its schema (default: 'false' on a boolean is
 * legal); evgen prints defaults into code, so one that does not fit is left out, with a warning.
 */
function fittingDefault(ctx: ImportContext, spec: FieldObjectSpec, path: string): FieldObjectSpec {
  if (spec.default === undefined) return spec;
  const { default: value, ...rest } = spec;
  let problem: string | undefined;
  try {
    problem = valueProblem(value, toIRType(rest), () => undefined);
  } catch {
    return spec; // a type validation will report; the default is judged with it
  }
  if (problem === undefined) return spec;
  ctx.warn(pointer(path, "default"), `default ${JSON.stringify(value)} is not imported: ${problem}`);
  return rest;
}

function refType(ctx: ImportContext, node: Obj, path: string, stack: string[]): FieldTypeSpec | undefined {
  const resolved = ctx.deref({ $ref: node.$ref }, path);
  if (!resolved) return ANY;
  const { $ref: _ref, description, default: fallback, ...rest } = node;
  ctx.leftover(rest, path, []);
  const annotations = {
    ...(typeof description === "string" ? { description } : {}),
    ...(fallback !== undefined ? { default: fallback as FieldObjectSpec["default"] } : {}),
  };
  if (NAMED_SCHEMA.test(resolved.path) && mapsToFields(ctx, resolved.node, resolved.path)) {
    const name = typeNameFor(ctx, resolved.path);
    if (!ctx.types.has(name)) {
      ctx.types.set(name, {}); // placeholder: a type that refers to itself terminates
      ctx.types.set(name, objectFields(ctx, resolved.node, resolved.path, false));
    }
    return Object.keys(annotations).length > 0 ? { $ref: name, ...annotations } : name;
  }
  if (stack.includes(resolved.path)) {
    ctx.warn(path, `recursive schema ${resolved.path} is not imported: evgen types cannot refer to themselves`);
    return ANY;
  }
  const inner = fieldType(ctx, resolved.node, resolved.path, [...stack, resolved.path]);
  if (inner === undefined) return undefined;
  const object: FieldObjectSpec = typeof inner === "string" ? shorthandObject(inner) : inner;
  return simplify(fittingDefault(ctx, { ...object, ...annotations }, path));
}
