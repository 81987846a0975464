// evgen as users get it, not as the repo runs it: `npm pack` in a fresh copy of the sources
// makes the tarball (prepack builds dist/ there, so nothing of the repo's own build is shipped,
// and the repo's dist/, which other tests run, is left alone), which is installed into an
// empty folder outside the repo; `npx evgen init` writes the
// project there, and the project installs, installs again from its lock file with `npm ci`, and
// passes its own tests. npm and npx are the ones on PATH, as in CI (npm 11, whose `npm ci`
// refuses a lock file that left out a dependency).
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT } from "../support/project.js";

/** npm installs and builds take their time on a shared machine; each step is still bounded. */
const STEP_MS = 5 * 60_000;

const root = join(tmpdir(), uniqueName("evgen-installed"));

interface Run {
  code: number;
  output: string;
}

function run(tool: "npm" | "npx", args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      tool,
      args,
      { cwd, timeout: STEP_MS, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) || 1 : 0, output: stdout + stderr }),
    );
  });
}

const npm = (args: string[], cwd: string) => run("npm", ["--no-audit", "--no-fund", ...args], cwd);

let tarball: string;

/** What building and packing evgen needs: its sources and manifests, not its build or caches. */
const SOURCES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "bin",
  "scripts/precompile-templates.mjs",
  "scripts/bundle.mjs",
  "src",
  "templates",
  "schema",
  "examples",
];

beforeAll(async () => {
  const clone = join(root, "evgen");
  mkdirSync(clone, { recursive: true });
  for (const entry of SOURCES) cpSync(join(REPO_ROOT, entry), join(clone, entry), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"), "dir");
  const pack = await npm(["pack", "--pack-destination", root], clone);
  expect(pack.code, pack.output).toBe(0);
  const packed = readdirSync(root).filter((name) => name.endsWith(".tgz"));
  expect(packed).toEqual([expect.stringMatching(/^evgen-.+\.tgz$/)]);
  tarball = join(root, packed[0]!);
}, STEP_MS);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("evgen installed from its packed tarball", () => {
  it(
    "inits a project whose npm install, npm ci and npm test pass",
    async () => {
      const dir = join(root, "shop");
      mkdirSync(dir);
      expect((await npm(["init", "-y"], dir)).code).toBe(0);
      const install = await npm(["install", "--save-dev", tarball], dir);
      expect(install.code, install.output).toBe(0);

      const init = await run(
        "npx",
        ["--no", "evgen", "init", "--broker", "kafka", "--example", "orders", "--yes"],
        dir,
      );
      expect(init.code, init.output).toBe(0);
      expect(init.output).toContain("create src/handlers/payment.ts");
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
      };
      expect(pkg.devDependencies.evgen).toMatch(/^file:/); // how the user installed it stays theirs

      const installed = await npm(["install"], dir);
      expect(installed.code, installed.output).toBe(0);
      const clean = await npm(["ci"], dir);
      expect(clean.code, clean.output).toBe(0);
      const test = await npm(["test"], dir);
      expect(test.code, test.output).toBe(0);
      expect(test.output).toMatch(/Tests\s+\d+ passed/);
      const typecheck = await npm(["run", "typecheck"], dir);
      expect(typecheck.code, typecheck.output).toBe(0);
    },
    4 * STEP_MS,
  );
});
