// How messages on stderr look: ANSI styles (only when the CLI IO allows colors), counted nouns.
import type { CliIO } from "./io.js";

const codes = { red: [31, 39], yellow: [33, 39], green: [32, 39], bold: [1, 22], dim: [2, 22] } as const;

export type Style = Record<keyof typeof codes, (text: string) => string>;

export function styleFor(io: Pick<CliIO, "color">): Style {
  const entries = Object.entries(codes).map(([name, [open, close]]) => [
    name,
    io.color ? (text: string) => `\u001b[${open}m${text}\u001b[${close}m` : (text: string) => text,
  ]);
  return Object.fromEntries(entries) as Style;
}

/** "1 file", "3 files". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
