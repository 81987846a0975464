// schema/evgen.schema.json is what editors validate evgen.yaml with; it must be the zod schema's.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { specJsonSchema, specJsonSchemaText } from "../../src/spec/json-schema.js";

describe("JSON Schema of evgen.yaml", () => {
  it("is the committed schema/evgen.schema.json", () => {
    const committed = readFileSync("schema/evgen.schema.json", "utf8");
    expect(
      committed === specJsonSchemaText(),
      "schema/evgen.schema.json is out of date: run `npm run build && node bin/evgen.js schema > schema/evgen.schema.json`",
    ).toBe(true);
  });

  it("rejects unknown keys and explains each top-level key", () => {
    const schema = specJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(["broker", "events", "evgen", "service"]);
    const undocumented = Object.entries(schema.properties).filter(([, p]) => !p.description);
    expect(undocumented.map(([key]) => key)).toEqual([]);
  });

  it("describes consumer options with their defaults", () => {
    const text = specJsonSchemaText();
    expect(text).toContain('"default": "30s"');
    expect(text).toContain("Deliveries in total, the first included; 1 = no retry. Default 4.");
    expect(text).toContain('"$ref": "#/definitions/FieldType"');
  });
});
