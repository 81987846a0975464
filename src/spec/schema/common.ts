// Building blocks shared by the spec schema's sections.
import * as z from "zod";
import { parseDuration } from "../duration.js";
import { DURATION, MAX_DURATION_MS } from "../patterns.js";

/** A string matching `pattern`, with a message that quotes the offending value. */
export function matching(pattern: RegExp, rule: string) {
  return z.string().regex(pattern, { error: (issue) => `'${String(issue.input)}' is not valid: ${rule}` });
}

/** `<n>ms|s|m|h|d` in the spec, milliseconds after parsing; at most what a Node.js timer can wait. */
export function duration(defaultText: string, description: string) {
  return boundedDuration(defaultText, description, MAX_DURATION_MS, "596h (the longest timer Node.js supports)");
}

/** A duration no timer waits for (a retention), up to `maxText`. */
export function longDuration(defaultText: string, description: string, maxText: string) {
  return boundedDuration(defaultText, description, parseDuration(maxText)!, maxText);
}

/** A duration the spec must give, at least `minText`, at most what a Node.js timer can wait. */
export function requiredDuration(description: string, minText: string) {
  const minMs = parseDuration(minText)!;
  return z
    .string()
    .regex(DURATION, {
      error: (issue) => `'${String(issue.input)}' is not a duration: write <n>ms, <n>s, <n>m, <n>h or <n>d`,
    })
    .transform((text) => parseDuration(text)!)
    .pipe(
      z
        .number()
        .min(minMs, `must be at least ${minText}`)
        .max(MAX_DURATION_MS, "must not exceed 596h (the longest timer Node.js supports)"),
    )
    .describe(`${description} Duration: <n>ms, <n>s, <n>m, <n>h or <n>d; at least ${minText}.`);
}

function boundedDuration(defaultText: string, description: string, maxMs: number, maxText: string) {
  return z
    .string()
    .regex(DURATION, {
      error: (issue) => `'${String(issue.input)}' is not a duration: write <n>ms, <n>s, <n>m, <n>h or <n>d`,
    })
    .transform((text) => parseDuration(text)!)
    .pipe(z.number().max(maxMs, `must not exceed ${maxText}`))
    .prefault(defaultText)
    .describe(`${description} Duration: <n>ms, <n>s, <n>m, <n>h or <n>d. Default ${defaultText}.`);
}

/** Any JSON value (finite numbers only, so it can be printed into generated code as is). */
export const jsonValue = z.json().meta({ id: "JsonValue" });
