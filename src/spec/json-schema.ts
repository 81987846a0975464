// The JSON Schema of evgen.yaml, derived from the zod schema so the two cannot disagree.
// `evgen schema` prints it; schema/evgen.schema.json is this output (test/validate/json-schema.test.ts
// fails when they drift).
import * as z from "zod";
import { specSchema } from "./schema/spec.js";

export function specJsonSchema(): object {
  return {
    // draft-07: the draft editors' YAML and JSON language servers support best.
    ...z.toJSONSchema(specSchema, { io: "input", target: "draft-07" }),
    title: "evgen spec (evgen.yaml)",
  };
}

/** The committed file's exact text. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
