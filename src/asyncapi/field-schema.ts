// IR field types as JSON Schema, for the payloads under components/schemas and for the message
// bindings that describe a key (Kafka).
import type { IRType } from "../ir/types.js";
import { ref, type JsonObject } from "./document.js";

const FORMAT: Record<string, string> = {
  uuid: "uuid",
  email: "email",
  url: "uri",
  datetime: "date-time",
  date: "date",
};

/** An IR type as JSON Schema; named types are $refs into components/schemas. */
export function fieldSchema(type: IRType): JsonObject {
  const annotations: JsonObject = {
    ...(type.description !== undefined ? { description: type.description } : {}),
    ...(type.default !== undefined ? { default: type.default } : {}),
  };
  const withType = (name: string, rest: JsonObject): JsonObject => ({
    type: type.nullable ? [name, "null"] : name,
    ...rest,
    ...annotations,
  });
  // Keywords without a `type` of their own: null joins as another option.
  const nullableWrap = (schema: JsonObject): JsonObject =>
    type.nullable ? { anyOf: [schema, { type: "null" }], ...annotations } : { ...schema, ...annotations };
  switch (type.kind) {
    case "string":
      return withType("string", {
        ...(type.format ? { format: FORMAT[type.format]! } : {}),
        ...defined({ minLength: type.minLength, maxLength: type.maxLength, pattern: type.pattern }),
      });
    case "number":
      return withType(type.integer ? "integer" : "number", defined({ minimum: type.minimum, maximum: type.maximum }));
    case "boolean":
      return withType("boolean", {});
    case "null":
      return { type: "null", ...annotations };
    case "enum":
      return {
        enum: type.nullable && !type.values.includes(null) ? [...type.values, null] : type.values,
        ...annotations,
      };
    case "const":
      return nullableWrap({ const: type.value });
    case "array":
      return withType("array", {
        ...(type.items.kind === "unknown" ? {} : { items: fieldSchema(type.items) }),
        ...defined({ minItems: type.minItems, maxItems: type.maxItems }),
      });
    case "object":
      return withType("object", {
        ...(type.fields.length > 0
          ? { properties: Object.fromEntries(type.fields.map((f) => [f.name, fieldSchema(f.type)])) }
          : {}),
        ...(type.fields.some((f) => !f.optional)
          ? { required: type.fields.filter((f) => !f.optional).map((f) => f.name) }
          : {}),
      });
    case "ref":
      return nullableWrap(ref("components", "schemas", type.name));
    case "union":
      return {
        anyOf: [...type.options.map(fieldSchema), ...(type.nullable ? [{ type: "null" }] : [])],
        ...annotations,
      };
    case "unknown":
      return { ...annotations };
  }
}

function defined(values: Record<string, string | number | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as JsonObject;
}
