// Handlebars templates, compiled. `npm run build` precompiles every template into
// dist/templates.cjs (scripts/precompile-templates.mjs), so a run loads Handlebars' small runtime
// instead of its compiler, which took about a seventh of a short run (docs/architecture.md, Speed).
// A template whose text differs from its precompiled copy (edited since the build, or a run from
// src as in tests) is compiled here: the output never depends on which way a template came.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { PRECOMPILED_TEMPLATES, type TemplateSource } from "./assets.js";
import { COMPILE_OPTIONS } from "./compile-options.js";

type Handlebars = typeof import("handlebars");
export type Template = HandlebarsTemplateDelegate;

interface Precompiled {
  /** sha256 of the template's text when it was precompiled. */
  hash: string;
  spec: TemplateSpecification;
}

const require = createRequire(import.meta.url);

let precompiled: Record<string, Precompiled> | undefined;
let runtime: Handlebars | undefined;
let compiler: Handlebars | undefined;

function precompiledTemplates(): Record<string, Precompiled> {
  precompiled ??= existsSync(PRECOMPILED_TEMPLATES)
    ? (require(PRECOMPILED_TEMPLATES) as Record<string, Precompiled>)
    : {};
  return precompiled;
}

export function templateHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function compileTemplate({ key, text }: TemplateSource): Template {
  // A partial the broker lacks (src/render/assets.ts) prints nothing.
  if (text === "") return () => "";
  const ready = precompiledTemplates()[key];
  if (ready !== undefined && ready.hash === templateHash(text)) {
    runtime ??= (require("handlebars/runtime") as Handlebars).create();
    return runtime.template(ready.spec);
  }
  compiler ??= (require("handlebars") as Handlebars).create();
  return compiler.compile(text, COMPILE_OPTIONS);
}
