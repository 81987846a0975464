// Text from a spec printed to a terminal: control characters and bidirectional-text controls would
// let a spec recolor, move the cursor, rewrite lines already printed or reorder what the user
// reads. They are shown as \u escapes instead; evgen's own colors are added after this.

// C0 controls, DEL, C1 controls (U+009B starts a sequence on some terminals as ESC [ does), and
// the invisible characters that change the direction of the text after them.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_LINES =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** One line of text: every control character escaped, line breaks included. */
export function printableLine(text: string): string {
  return text.replace(CONTROLS, escape);
}

/** Text of several lines: control characters escaped, line breaks kept. */
export function printableText(text: string): string {
  return text.replace(CONTROLS_BUT_LINES, escape);
}

/** JSON text whose strings cannot carry terminal controls either (JSON.stringify escapes only C0). */
export function printableJson(json: string): string {
  return printableText(json);
}
