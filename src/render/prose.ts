// Spec values as they appear outside code: README table cells, durations, shell arguments and
// values in .env files.
import type { IRConsumer } from "../ir/types.js";
import { durationText } from "../validate/duration.js";

/** Text that stays inside one Markdown table cell. */
export function tableCell(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
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
