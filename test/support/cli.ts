// Running the built evgen bin as users do, for the CLI end-to-end tests.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./project.js";

export const BIN = join(REPO_ROOT, "bin", "evgen.js");
export const MODELINE = "# yaml-language-server: $schema=./node_modules/evgen/schema/evgen.schema.json";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function evgen(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

/** The bin runs dist/: rebuild it when the sources are newer (npm test builds first anyway). */
export function buildIfStale(): void {
  const main = join(REPO_ROOT, "dist", "cli", "main.js");
  if (!existsSync(main) || statSync(main).mtimeMs < newestMtime(join(REPO_ROOT, "src"))) {
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: REPO_ROOT,
      },
    );
  }
}
