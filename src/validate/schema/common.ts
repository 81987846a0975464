// Building blocks shared by the spec schema's sections.
import * as z from "zod";
import { parseDuration } from "../duration.js";
import { DURATION, MAX_DURATION_MS } from "../patterns.js";

/** A string matching `pattern`, with a message that quotes the offending value. */
export function matching(pattern: RegExp, rule: string) {
  return z.string().regex(pattern, { error: (issue) => `'${String(issue.input)}' is not valid: ${rule}` });
}

/** `<n>ms|s|m|h` in the spec, milliseconds after parsing. */
export function duration(defaultText: string, description: string) {
  return z
    .string()
    .regex(DURATION, {
      error: (issue) => `'${String(issue.input)}' is not a duration: write <n>ms, <n>s, <n>m or <n>h`,
    })
    .transform((text) => parseDuration(text)!)
    .pipe(z.number().max(MAX_DURATION_MS, "must not exceed 596h (the longest timer Node.js supports)"))
    .prefault(defaultText)
    .describe(`${description} Duration: <n>ms, <n>s, <n>m or <n>h. Default ${defaultText}.`);
}

/** Any JSON value (finite numbers only, so it can be printed into generated code as is). */
export const jsonValue = z.json().meta({ id: "JsonValue" });
