// The schemas validation builds with zod (src/ir/zod-runtime.ts) accept exactly what the printed
// schemas of the generated code accept (src/render/zod-schema.ts): both run on the same values.
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { toIRType } from "../../src/ir/field-type.js";
import { runtimeSchema } from "../../src/ir/zod-runtime.js";
import { zodSchema } from "../../src/render/zod-schema.js";
import type { FieldTypeSpec } from "../../src/spec/schema/field-type.js";

/** The printed schema, run: its only free name is `z` (no references in these types). */
const printed = (code: string) => new Function("z", `return ${code};`)(z) as z.ZodType;

const cases: Array<{ type: FieldTypeSpec; values: unknown[] }> = [
  { type: "uuid", values: ["8a3e1a3e-3c1f-4a57-9b51-1d8f1f0f2a11", "nope", 3, null] },
  { type: "email", values: ["a@example.com", "a@", ""] },
  { type: "datetime", values: ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00+02:00", "2024-05-01", "x"] },
  { type: "date", values: ["2024-05-01", "2024-13-01", "2024-05-01T10:00:00Z"] },
  { type: "url", values: ["https://example.com/x", "example", ""] },
  { type: { type: "string", minLength: 2, maxLength: 4, pattern: "^[a-z]+$" }, values: ["ab", "a", "abcde", "AB", 2] },
  { type: { type: "integer", minimum: 1, maximum: 10 }, values: [1, 10, 0, 11, 1.5, "1", null] },
  { type: { type: ["number", "null"] }, values: [1.5, null, "1"] },
  { type: { enum: ["EUR", "USD"] }, values: ["EUR", "GBP", null] },
  { type: { enum: [1, "a", null] }, values: [1, "a", null, 2, true] },
  { type: { const: { a: [1, "x"] } }, values: [{ a: [1, "x"] }, { a: [1, "x"], b: 1 }, { a: [1] }, null] },
  {
    type: { type: "array", items: "string", minItems: 1, maxItems: 2 },
    values: [["a"], [], ["a", "b", "c"], [1], "a"],
  },
  {
    type: { type: "object", properties: { id: "uuid", note: { type: "string", default: "-" } }, required: ["id"] },
    values: [{ id: "8a3e1a3e-3c1f-4a57-9b51-1d8f1f0f2a11" }, { note: "x" }, { id: "x", extra: 1 }, []],
  },
  { type: { oneOf: ["integer", "string"] }, values: [1, "a", true, null, 1.5] },
  { type: "boolean", values: [true, "true", 0] },
];

describe("zod schemas built for validation", () => {
  for (const { type, values } of cases) {
    it(`accept what the generated code accepts: ${JSON.stringify(type)}`, () => {
      const ir = toIRType(type);
      const built = runtimeSchema(ir, () => undefined);
      const generated = printed(zodSchema(ir));
      for (const value of values) {
        expect(built.safeParse(value).success, JSON.stringify(value)).toBe(generated.safeParse(value).success);
      }
      // Not a test that cannot fail: every case has a value accepted and one refused.
      expect(new Set(values.map((value) => built.safeParse(value).success))).toEqual(new Set([true, false]));
    });
  }
});
