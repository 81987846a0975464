// Part of `npm run build`, after tsc: precompiles every Handlebars template under templates/ into
// dist/templates.cjs, keyed by its path and the hash of its text (src/render/compiled-templates.ts
// uses a copy only while the template's text still has that hash).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import Handlebars from "handlebars";
import { COMPILE_OPTIONS } from "../dist/render/compile-options.js";
import { templateHash } from "../dist/render/compiled-templates.js";

const root = new URL("..", import.meta.url).pathname;
const templates = join(root, "templates");
const files = readdirSync(templates, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith(".hbs"))
  .map((entry) => relative(templates, join(entry.parentPath, entry.name)).split(sep).join("/"))
  .sort();

const entries = files.map((key) => {
  const text = readFileSync(join(templates, key), "utf8");
  const spec = Handlebars.precompile(text, COMPILE_OPTIONS);
  return `  ${JSON.stringify(key)}: { hash: ${JSON.stringify(templateHash(text))}, spec: ${spec} },`;
});
writeFileSync(
  join(root, "dist", "templates.cjs"),
  `// Precompiled by scripts/precompile-templates.mjs from templates/: do not edit.\nmodule.exports = {\n${entries.join("\n")}\n};\n`,
);
console.log(`precompiled ${files.length} templates into dist/templates.cjs`);
