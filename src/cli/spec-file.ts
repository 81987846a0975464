// Finding the spec: the --spec option, else the nearest evgen.yaml in the working directory or
// one of its parents.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MAX_SPEC_BYTES, MAX_SPEC_SIZE_TEXT } from "../load/limits.js";
import { CliError, UsageError } from "./errors.js";

export const SPEC_FILE = "evgen.yaml";

/** The --spec option of every command that reads the spec; findSpec() reads its value. */
export const SPEC_OPTION = ["--spec <file>", "the spec (default: the nearest evgen.yaml, here or above)"] as const;

export function findSpec(cwd: string, option: string | undefined): string {
  if (option !== undefined) {
    const path = resolve(cwd, option);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`spec file not found: ${option}`);
    return path;
  }
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    const candidate = join(directory, SPEC_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) break;
  }
  throw new UsageError(`no ${SPEC_FILE} in ${cwd} or any parent directory: run \`evgen init\`, or pass --spec <file>`);
}

/** The spec's text; a file past the size limit (docs/spec.md, Limits) is refused without reading it. */
export function readSpecText(path: string, shown: string = path): string {
  return readBounded(path, shown, MAX_SPEC_BYTES, `specs up to ${MAX_SPEC_SIZE_TEXT}`);
}

/** A file's text, refused without reading it when it is larger than `limit` bytes. */
export function readBounded(path: string, shown: string, limit: number, what: string): string {
  const { size } = statSync(path);
  if (size > limit) throw new CliError(`${shown} is ${size} bytes; evgen reads ${what}`);
  return readFileSync(path, "utf8");
}
