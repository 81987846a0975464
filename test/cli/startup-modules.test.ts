// What a command loads before it does anything: `evgen --version` and an unchanged
// `generate --check` must not load zod, the YAML parser, Handlebars or prettier (docs/architecture.md,
// Speed). A module that pulls one of them in statically makes every command slower; this catches
// it. It runs tsc's modules (dist/cli/main.js, built by `npm test`), where each package shows in
// its resolved URL.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/project.js";

const HEAVY = ["zod", "yaml", "handlebars", "prettier"];
const dir = mkdtempSync(join(tmpdir(), "evgen-startup-"));
const project = join(dir, "project");
const hook = join(dir, "hook.mjs");

// Prints, at exit, every package under node_modules that the run resolved.
const HOOK = `import { registerHooks } from "node:module";
const loaded = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const name = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url)?.[1];
    if (name) loaded.add(name);
    return result;
  },
});
process.on("exit", () => process.stderr.write("\\nLOADED " + [...loaded].join(",") + "\\n"));
`;

function evgen(args: string[], cwd: string): { status: number | null; loaded: string[]; output: string } {
  const main = join(REPO_ROOT, "dist", "cli", "main.js");
  const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(process.argv);`;
  const run = spawnSync(process.execPath, ["--import", hook, "--input-type=module", "-e", script, "evgen", ...args], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
  });
  const line = /^LOADED (.*)$/m.exec(run.stderr)?.[1];
  if (line === undefined) throw new Error(`evgen ${args.join(" ")} printed no LOADED line:\n${run.stderr}`);
  return { status: run.status, loaded: line.split(",").filter(Boolean), output: run.stdout + run.stderr };
}

beforeAll(() => {
  writeFileSync(hook, HOOK);
  mkdirSync(project);
  copyFileSync(join(REPO_ROOT, "examples", "orders", "evgen.yaml"), join(project, "evgen.yaml"));
  const generated = evgen(["generate"], project);
  expect(generated.status, generated.output).toBe(0);
  // The check itself: a cold generate needs zod (and the hook sees it), or this test could not fail.
  expect(generated.loaded).toContain("zod");
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("what a command loads", () => {
  it("evgen --version: none of zod, yaml, Handlebars, prettier", () => {
    const run = evgen(["--version"], project);
    expect(run.status, run.output).toBe(0);
    expect(run.loaded.filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it("generate --check on an unchanged project: none of them either", () => {
    const run = evgen(["generate", "--check"], project);
    expect(run.status, run.output).toBe(0);
    expect(run.loaded.filter((name) => HEAVY.includes(name))).toEqual([]);
  });
});
