// Formats generated text in memory with prettier, by file type, with fixed options so the output
// never depends on the machine or on a prettier config the user keeps elsewhere. Prettier is
// loaded only when a file actually needs formatting: an unchanged run is served from the cache.
import type { Options } from "prettier";
import { sha256 } from "./hash.js";

const parsers: Record<string, string> = {
  // babel-ts prints generated TypeScript the same as the "typescript" parser, in half the time.
  ts: "babel-ts",
  json: "json",
  md: "markdown",
  yml: "yaml",
  yaml: "yaml",
};

const options: Options = { printWidth: 100, proseWrap: "preserve", endOfLine: "lf" };

/**
 * The prettier parser for a path, or undefined for files left as rendered: Dockerfile, .gitignore,
 * and package.json, which is written exactly as npm writes it so that `npm install` causes no drift.
 */
function parserFor(path: string): string | undefined {
  if (path === "package.json" || path.endsWith("/package.json")) return undefined;
  const extension = /\.([a-z]+)$/.exec(path)?.[1];
  return extension === undefined ? undefined : parsers[extension];
}

/** Formatted text by the sha256 of the text before formatting. */
export type FormatCache = ReadonlyMap<string, string>;

export async function formatText(path: string, text: string, cache?: FormatCache): Promise<string> {
  const parser = parserFor(path);
  if (parser === undefined) return text;
  const cached = cache?.get(sha256(text));
  if (cached !== undefined) return cached;
  const prettier = await import("prettier");
  return prettier.format(text, { ...options, parser, filepath: path });
}
