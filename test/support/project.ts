// Generated projects for tests: written under test/.tmp/ inside the repo, so their imports resolve
// from the repo's node_modules with no install. Generation runs the real CLI in-process.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";
import { uniqueName } from "./brokers.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the evgen CLI in-process (`args` without "node evgen"), capturing its output. */
export async function runCli(args: string[], cwd: string): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd,
    interactive: false,
    color: false,
    ask: () => Promise.reject(new Error("no prompts in tests")),
  };
  const code = await main(["node", "evgen", ...args], io);
  return { code, stdout, stderr };
}

export interface Project {
  /** Absolute path of the project directory. */
  dir: string;
  path(relative: string): string;
  read(relative: string): string;
  write(relative: string, text: string): void;
  /** Runs `evgen generate` (plus `args`) on the project; rejects unless it exits 0. */
  generate(args?: string[]): Promise<CliRun>;
  /** `tsc --noEmit` over src and test; rejects with the compiler's output on errors. */
  typecheck(): Promise<void>;
  /** `tsc -p tsconfig.build.json` into dist/. */
  build(): Promise<void>;
  /** `node dist/generated/main.js` with `env` added to this process's environment; output piped. */
  start(env?: Record<string, string>): ChildProcess;
  /** Kills what start() launched and removes the directory. */
  cleanup(): Promise<void>;
}

function compile(dir: string, tsconfig: string, extra: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [TSC, "-p", join(dir, tsconfig), ...extra], { cwd: dir }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tsc -p ${tsconfig} failed in ${dir}:\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

export interface ProjectOptions {
  /** The text of evgen.yaml. */
  spec: string;
  /** Handler modules by consumer name, written over the scaffolded src/handlers/<name>.ts. */
  handlers?: Record<string, string>;
  /** Where to create it (default: test/.tmp/<unique>). */
  dir?: string;
}

export async function createProject(options: ProjectOptions): Promise<Project> {
  const dir = options.dir ?? join(REPO_ROOT, "test", ".tmp", uniqueName("project"));
  const children = new Set<ChildProcess>();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "evgen.yaml"), options.spec);

  const project: Project = {
    dir,
    path: (relative) => join(dir, relative),
    read: (relative) => readFileSync(join(dir, relative), "utf8"),
    write(relative, text) {
      mkdirSync(dirname(join(dir, relative)), { recursive: true });
      writeFileSync(join(dir, relative), text);
    },
    async generate(args = []) {
      const run = await runCli(["generate", ...args], dir);
      if (run.code !== 0) throw new Error(`evgen generate exited ${run.code}:\n${run.stderr}`);
      return run;
    },
    typecheck: () => compile(dir, "tsconfig.json", ["--noEmit"]),
    build: () => compile(dir, "tsconfig.build.json", []),
    start(env = {}) {
      const child = spawn(process.execPath, ["dist/generated/main.js"], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(child);
      child.once("exit", () => children.delete(child));
      return child;
    },
    async cleanup() {
      await Promise.all(
        [...children].map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once("exit", () => resolve());
              child.kill("SIGKILL");
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };

  await project.generate();
  for (const [consumer, text] of Object.entries(options.handlers ?? {})) {
    project.write(`src/handlers/${consumer}.ts`, text);
  }
  return project;
}
