// The examples as users take them: each examples/<name> is a project of its own (spec, handlers,
// committed generated code, package-lock.json). These helpers copy one out of the repository,
// install it with `npm ci`, and run its scripts, the way a team copying it would.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { REPO_ROOT } from "../support/project.js";

export const exampleDir = (name: string) => join(REPO_ROOT, "examples", name);

export interface NpmRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm <args>` in `cwd`, with a deadline; resolves with what it printed and its exit code. */
export function npm(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 240_000,
): Promise<NpmRun> {
  return new Promise((resolve) => {
    execFile(
      "npm",
      args,
      { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** A copy of examples/<name> in a fresh temporary folder, without what installs and builds made. */
export function copyExample(name: string): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), `evgen-example-${name}-`));
  const dir = join(root, name);
  const skip = new Set(["node_modules", "dist"]);
  cpSync(exampleDir(name), dir, {
    recursive: true,
    filter: (source) =>
      !relative(exampleDir(name), source)
        .split(/[\\/]/)
        .some((part) => skip.has(part)),
  });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The figures the scenario prints as its last line of JSON. */
export function figuresOf(stdout: string): Record<string, number | string> {
  const line = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((text) => text.startsWith("{"));
  if (!line) throw new Error(`the scenario printed no figures:\n${stdout}`);
  return JSON.parse(line) as Record<string, number | string>;
}
