// Example payloads for the scaffolded handler tests: the smallest value each schema accepts, so
// the test a user gets on day one passes. Undefined when no value can be derived (a formatted
// string its pattern rejects, or a pattern no string could be found for).
import type { IRField, IRNamedType, IRType, JsonValue } from "../ir/types.js";
import { PATTERN_FLAGS } from "../spec/patterns.js";
import { patternSample } from "./pattern-sample.js";

const formatSamples = {
  uuid: "6f1c2a9e-0b7d-4c3e-9a5f-2d8e4b1c7a30",
  email: "someone@example.com",
  url: "https://example.com/",
  datetime: "2024-01-01T12:00:00.000Z",
  date: "2024-01-01",
} as const;

type NamedTypes = ReadonlyMap<string, IRNamedType>;

function sampleString(type: Extract<IRType, { kind: "string" }>): string | undefined {
  const { minLength = 0, maxLength = Infinity } = type;
  // A formatted value cannot be stretched or cut; a plain one can.
  const value = type.format ? formatSamples[type.format] : "example".padEnd(minLength, "x").slice(0, maxLength);
  if (value.length < minLength || value.length > maxLength) return undefined;
  if (type.pattern === undefined || new RegExp(type.pattern, PATTERN_FLAGS).test(value)) return value;
  // A formatted value must also match the format, which a string drawn from the pattern may not.
  return type.format ? undefined : patternSample(type.pattern, minLength, maxLength);
}

function sampleNumber(type: Extract<IRType, { kind: "number" }>): number | undefined {
  const { minimum = -Infinity, maximum = Infinity } = type;
  const preferred = Math.min(Math.max(1, minimum), maximum);
  const value = type.integer ? Math.ceil(preferred) : preferred;
  return value <= maximum ? value : undefined;
}

/**
 * Sets an own property, whatever the key: an assignment to a key such as `__proto__` would change
 * the object's prototype instead. Validation refuses such names; this keeps evgen safe regardless.
 */
export function setOwn(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function sampleFields(fields: IRField[], types: NamedTypes): Record<string, JsonValue> | undefined {
  const value: Record<string, JsonValue> = {};
  for (const field of fields) {
    if (field.optional) continue;
    const item = sampleValue(field.type, types);
    if (item === undefined) return undefined;
    setOwn(value, field.name, item);
  }
  return value;
}

export function sampleValue(type: IRType, types: NamedTypes): JsonValue | undefined {
  if (type.default !== undefined) return type.default;
  switch (type.kind) {
    case "string":
      return sampleString(type);
    case "number":
      return sampleNumber(type);
    case "boolean":
      return true;
    case "null":
    case "unknown":
      return null;
    case "enum":
      return type.values[0] ?? null;
    case "const":
      return type.value;
    case "array": {
      const count = type.minItems ?? 0;
      const item = count > 0 ? sampleValue(type.items, types) : null;
      return item === undefined ? undefined : Array.from({ length: count }, () => item);
    }
    case "object":
      return sampleFields(type.fields, types);
    case "ref": {
      const named = types.get(type.name);
      return named && sampleFields(named.fields, types);
    }
    case "union": {
      const [first] = type.options;
      return first && sampleValue(first, types);
    }
  }
}
