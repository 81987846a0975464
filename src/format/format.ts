// Formats generated text in memory with prettier, by file type, with fixed options so the output
// never depends on the machine or on a prettier config the user keeps elsewhere. Prettier is
// loaded only when a file actually needs formatting: an unchanged run is served from the cache.
import type { Options, Plugin } from "prettier";
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
  const { format, plugins } = await prettier();
  return format(text, { ...options, parser, filepath: path, plugins });
}

let loading: Promise<{ format: typeof import("prettier/standalone").format; plugins: Plugin[] }> | undefined;

/**
 * prettier's standalone build with only the plugins evgen's files need, loaded once. The full
 * package would also load its TypeScript parser for the ```ts blocks of a README, which costs more
 * than formatting the whole project; babel-ts reads those blocks, through the language below.
 */
function prettier() {
  return (loading ??= (async () => {
    const [{ format }, babel, estree, markdown, yaml] = await Promise.all([
      import("prettier/standalone"),
      import("prettier/plugins/babel"),
      import("prettier/plugins/estree"),
      import("prettier/plugins/markdown"),
      import("prettier/plugins/yaml"),
    ]);
    const typescriptBlocks: Plugin = {
      languages: [{ name: "TypeScript", parsers: ["babel-ts"], aliases: ["ts", "typescript"], extensions: [".ts"] }],
    };
    return { format, plugins: [babel, estree, markdown, yaml, typescriptBlocks] as Plugin[] };
  })());
}
