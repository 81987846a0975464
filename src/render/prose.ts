// Spec values as they appear outside code: README table cells, durations, shell arguments and
// values in .env files.
import type { IRConsumer } from "../ir/types.js";
import { mdText } from "../docs/text.js";
import { durationText } from "../spec/duration.js";

/**
 * Spec text in Markdown (README paragraphs and table cells): on one line, with Markdown and HTML
 * syntax escaped (docs/text.ts), so a description cannot add markup, links or script to the page.
 */
export function markdownText(text: string | undefined): string {
  return mdText(text ?? "");
}

/** What happens when a consumer's handler keeps failing, in a few words. */
export function failureText(consumer: IRConsumer): string {
  const { attempts, delaysMs, mode } = consumer.retry;
  const retries =
    attempts === 1
      ? "no retry"
      : `${attempts} attempts${mode === "blocking" ? " in place" : ""} (waits ${delaysMs.map(durationText).join(", ")})`;
  return `${retries}, then ${consumer.deadLetter ? `\`${consumer.deadLetterQueue}\`` : "dropped with an error log"}`;
}

/** A single-quoted POSIX shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A value for an env file line: as it is when plainly safe, else double-quoted with escapes. */
export function envValue(text: string): string {
  return /^[\w.:/@%+,=?&~-]*$/.test(text) ? text : JSON.stringify(text);
}
