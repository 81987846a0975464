// Escaping of spec text for Markdown and Mermaid, and spec values in words. Everything taken from
// a spec (descriptions, enum values, patterns, defaults) goes through these before it is printed.
import type { IRConsumer, IRFilter, JsonValue } from "../ir/types.js";

/**
 * Inline Markdown text: characters Markdown (or HTML in Markdown) could read as syntax are escaped,
 * and so is a start that would open a block (heading, list, quote, table rule).
 */
export function mdText(text: string): string {
  const escaped = text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
  return escaped.replace(/^([#+=-]|\d+(?=[.)]))/, (start) => (/^\d/.test(start) ? `${start}\\` : `\\${start}`));
}

/**
 * An inline code span holding `text` as it is: a fence longer than any backtick run inside it,
 * padded when it starts or ends with a backtick. Pipes are escaped too, since GFM splits table
 * cells on them before it reads code spans (the escape is removed again inside the span).
 */
export function mdCode(text: string): string {
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat.startsWith(" ") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A JSON value in a code span. */
export function mdValue(value: JsonValue): string {
  return mdCode(JSON.stringify(value));
}

/**
 * A Mermaid node label, to be put between double quotes: anything but plain letters, digits and a
 * few separators becomes an entity code (#34; for a quote), so no label can end the node or the diagram.
 */
export function mermaidLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9 .,:_/-]/g, (c) => `#${c.codePointAt(0)};`);
}

/** A Markdown anchor id from a name that is already restricted to letters, digits, '.', '-' and '_'. */
export function anchor(prefix: string, name: string): string {
  return `${prefix}-${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
}

import { durationText } from "../spec/duration.js";

export { durationText };

/** The retry policy in words, ending with `where` failed events wait (plain text, to be escaped by the caller). */
export function retryWords(consumer: IRConsumer, where: string): string {
  const { attempts, backoff, delayMs, maxDelayMs, delaysMs } = consumer.retry;
  if (attempts === 1) return "No retry: one delivery attempt.";
  const waits = delaysMs.map(durationText).join(", ");
  const policy =
    backoff === "fixed"
      ? `a fixed delay of ${durationText(delayMs)}`
      : `exponential backoff from ${durationText(delayMs)}, at most ${durationText(maxDelayMs)}`;
  return `Up to ${attempts} attempts (the first delivery and ${attempts - 1} ${attempts - 1 === 1 ? "retry" : "retries"}) with ${policy}: waits ${waits}. ${where}`;
}

/** A filter path's conditions in Markdown: `data.channel` is `"email"`; `data.total` ≥ `10` and < `100`. */
export function filterMarkdown(filter: IRFilter): string {
  const path = mdCode(filter.path);
  const words: string[] = [];
  const oneOf = (values: JsonValue[]) =>
    values.length === 1 ? mdValue(values[0]!) : `one of ${values.map(mdValue).join(", ")}`;
  if (filter.values) words.push(`is ${oneOf(filter.values)}`);
  if (filter.exists !== undefined) words.push(filter.exists ? "is present" : "is absent or null");
  if (filter.not) words.push(`is not ${oneOf(filter.not)}`);
  for (const [op, sign] of [
    ["gt", ">"],
    ["gte", "≥"],
    ["lt", "<"],
    ["lte", "≤"],
  ] as const) {
    const bound = filter[op];
    if (bound !== undefined) words.push(`${sign} ${mdValue(bound)}`);
  }
  if (filter.contains !== undefined) words.push(`contains ${mdValue(filter.contains)}`);
  return `${path} ${words.join(" and ")}`;
}
