// Part of `npm run build`, after tsc: bundles the command line (dist/cli/main.js, with commander
// and zod) into dist/bundle/, which bin/evgen.js runs. Node.js resolves and links each ES module
// on its own, and a run of evgen loads a few hundred: one bundle, with a chunk per lazily loaded
// stage, took a cold `evgen generate` of 100 events from about 0.77 to 0.62 s of CPU here
// (docs/architecture.md, Speed). Packages evgen loads only when needed stay outside.
// dist/bundle/ sits two levels down, as dist/render/ does, so paths taken from import.meta.url
// (templates, dist/templates.cjs) resolve the same from either.
import { rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const outdir = `${root}dist/bundle`;

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: `${root}dist/cli/main.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // Loaded on first use (createRequire or import()): prettier for users' files, the full YAML
  // parser, Handlebars, randexp and recheck.
  external: ["prettier", "prettier/*", "yaml", "handlebars", "handlebars/*", "randexp", "recheck"],
  // CommonJS bundled into an ES module (commander) may require Node's own modules.
  banner: {
    js: 'import { createRequire as __evgenRequire } from "node:module"; const require = __evgenRequire(import.meta.url);',
  },
  sourcemap: "linked",
  logLevel: "warning",
});
console.log("bundled dist/cli/main.js into dist/bundle/");
