// The generate step shared by `evgen generate` and `evgen init`: run the pure core on the spec and
// the project's current state, then decide the commit; print what happens. An unchanged project
// is recognised from the manifest alone, before the generator is even loaded.
import { basename, relative } from "node:path";
import { applyCommit, isAsWritten, planCommit, type CommitPlan } from "../commit/changes.js";
import { ProjectDir } from "../commit/disk.js";
import { formatCacheFrom } from "../commit/format-cache.js";
import { emptyManifest, MANIFEST_PATH, parseManifest } from "../commit/manifest.js";
import { isUpToDate } from "../commit/up-to-date.js";
import { sha256 } from "../format/hash.js";
import { evgenFingerprint } from "../render/assets.js";
import { formatIssues } from "./issues.js";
import type { Issue } from "../spec/issue.js";
import { CliError } from "./errors.js";
import type { CliIO } from "./io.js";
import { printableLine } from "./printable.js";
import { plural, styleFor } from "./style.js";

/** Files evgen merges into rather than owns: the core gets their current text. */
const MERGED = ["package.json"];

export interface Generation {
  disk: ProjectDir;
  /** Undefined when the spec has errors. */
  plan?: CommitPlan;
  issues: Issue[];
}

export async function prepareGeneration(options: {
  root: string;
  /** The spec as issues name it (relative to the working directory). */
  specFile: string;
  specText: string;
  force: boolean;
}): Promise<Generation> {
  const disk = new ProjectDir(options.root);
  const manifestText = disk.read(MANIFEST_PATH);
  const manifest = manifestText === undefined ? emptyManifest() : parseManifest(manifestText);
  const inputs = sha256(`${evgenFingerprint()}\0${basename(options.specFile)}\0${options.specText}`);
  if (isUpToDate(manifest, disk, inputs)) {
    return { disk, issues: [], plan: { changes: [], conflicts: [], warnings: [] } };
  }

  const { generate } = await import("../core.js");
  const existing: Record<string, string> = {};
  for (const path of MERGED) {
    const text = disk.read(path);
    if (text !== undefined) existing[path] = text;
  }
  const { files, kept, issues } = await generate({
    specText: options.specText,
    specFile: options.specFile,
    existing,
    formatCache: formatCacheFrom(manifest, disk),
    isUsers: (path) => disk.read(path) !== undefined && !isAsWritten(disk, path, manifest.files[path]),
  });
  if (issues.some((issue) => issue.severity === "error")) return { disk, issues };
  return { disk, issues, plan: planCommit({ files, kept, inputs, force: options.force }, disk, manifest) };
}

/** How a spec path is shown: relative to the working directory when below it. */
export function displayPath(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown === "" || shown.startsWith("..") ? path : shown;
}

export function printIssues(io: CliIO, issues: Issue[]): void {
  const shown = issues.map((issue) => ({
    ...issue,
    file: printableLine(issue.file),
    path: printableLine(issue.path),
    message: printableLine(issue.message),
    ...(issue.hint === undefined ? {} : { hint: printableLine(issue.hint) }),
  }));
  if (shown.length > 0) io.stderr(`${formatIssues(shown, { color: io.color })}\n`);
}

/** Files kept as the user's although the spec moved on, and what to do about each. */
export function printWarnings(io: CliIO, plan: CommitPlan): void {
  const { yellow } = styleFor(io);
  for (const warning of plan.warnings) io.stderr(`${yellow("warning")} ${warning.path}: ${warning.reason}\n`);
}

/** The changes as data on stdout, one `<kind> <path>` line each. */
export function printChanges(io: CliIO, plan: CommitPlan): void {
  for (const change of plan.changes) io.stdout(`${change.kind} ${change.path}\n`);
}

export function errorCount(issues: Issue[]): number {
  return issues.filter((issue) => issue.severity === "error").length;
}

/** The plan to write; throws when the spec has errors or a write must be refused (nothing is written then). */
export function writablePlan(io: CliIO, generation: Generation): CommitPlan {
  const { plan, issues } = generation;
  printIssues(io, issues);
  if (!plan) throw new CliError(`${plural(errorCount(issues), "problem")} in the spec; nothing written`);
  printWarnings(io, plan);
  if (plan.conflicts.length > 0) {
    const { red } = styleFor(io);
    for (const conflict of plan.conflicts) io.stderr(`${red("refused")} ${conflict.path}: ${conflict.reason}\n`);
    throw new CliError("nothing written");
  }
  return plan;
}

export function writePlan(io: CliIO, generation: Generation, plan: CommitPlan): void {
  applyCommit(plan, generation.disk);
  printChanges(io, plan);
}
