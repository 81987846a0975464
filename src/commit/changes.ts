// Compares the rendered project with the disk and the manifest, and decides what a commit does:
// which files to create, update or delete, which it must refuse to touch, and which it keeps
// with a warning (the user's edits win over a spec that moved on).
import { sha256 } from "../format/hash.js";
import { isEvgenPath } from "../plan/layout.js";
import { byPath } from "../plan/plan.js";
import type { KeptFile, OutputFile } from "../plan/types.js";
import type { ProjectDir } from "./disk.js";
import { MANIFEST_PATH, serializeManifest, type Manifest, type ManifestEntry } from "./manifest.js";
import { isProjectPath } from "./paths.js";

export type Change = { kind: "create" | "update"; path: string; content: string } | { kind: "delete"; path: string };

export interface Conflict {
  path: string;
  reason: string;
}

export interface CommitPlan {
  /** Sorted by path; the manifest, when it changes, is among them. */
  changes: Change[];
  /** Generated files edited by hand, or files evgen would overwrite without having written them. */
  conflicts: Conflict[];
  /** Files kept as they are although the spec moved on: they were edited, so they are the user's. */
  warnings: Conflict[];
}

const EDITED = "edited by hand since evgen wrote it (--force overwrites it)";
const FOREIGN = "exists but evgen did not write it (--force overwrites it)";
const STALE_KEPT =
  "the spec no longer has it, but it is not what evgen wrote (edited since), so it was kept: " +
  "take what you still need from it, then delete it (it may import generated code that is gone)";
const OLDER_SPEC =
  "edited since evgen wrote it, so it was kept, but it was made from an older spec: to see what " +
  "evgen writes now, move it aside and run `evgen generate`, then bring your edits back";

export interface CommitInput {
  /** The rendered files. */
  files: OutputFile[];
  /** The user's files, edited since evgen wrote them: never written, never deleted. */
  kept: KeptFile[];
  /** Fingerprint of what the files are generated from, recorded in the manifest. */
  inputs: string;
  force: boolean;
}

/** Whether the file on disk is byte for byte what evgen wrote there, as the manifest recorded it. */
export function isAsWritten(disk: ProjectDir, path: string, recorded: ManifestEntry | undefined): boolean {
  return recorded?.sha256 !== undefined && disk.hash(path) === recorded.sha256;
}

export function planCommit(input: CommitInput, disk: ProjectDir, manifest: Manifest): CommitPlan {
  const { files, kept, force } = input;
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const warnings: Conflict[] = [];
  const next: Manifest = { evgen: 1, inputs: input.inputs, files: {} };
  const planned = new Set([...files.map((file) => file.path), ...kept.map((file) => file.path)]);

  for (const { path, sourceHash } of kept) {
    const recorded = manifest.files[path];
    if (recorded?.source !== undefined && recorded.source !== sourceHash) {
      // Said once for each change of what evgen would write: the manifest remembers the new one.
      warnings.push({ path, reason: OLDER_SPEC });
      next.files[path] = { owner: "user", source: sourceHash };
    } else {
      next.files[path] = recorded ?? { owner: "user" };
    }
  }

  for (const file of files) {
    const current = disk.read(file.path);
    const recorded = manifest.files[file.path];
    const entry = { owner: file.owner, sha256: sha256(file.content), source: file.sourceHash };
    if (current === undefined) {
      changes.push({ kind: "create", path: file.path, content: file.content });
      next.files[file.path] = entry;
    } else if (file.owner === "user" && !isAsWritten(disk, file.path, recorded)) {
      // Rendered although it is the user's now (the caller did not say): the user's all the same.
      next.files[file.path] = recorded ?? { owner: "user" };
    } else {
      next.files[file.path] = entry;
      if (current === file.content) continue;
      if (file.owner === "evgen" && !force) {
        if (!recorded) conflicts.push({ path: file.path, reason: FOREIGN });
        else if (disk.hash(file.path) !== recorded.sha256) conflicts.push({ path: file.path, reason: EDITED });
      }
      changes.push({ kind: "update", path: file.path, content: file.content });
    }
  }

  // What the spec no longer needs. Deleted only where evgen writes, and only when still exactly
  // what it wrote (even with --force): a manifest edited by hand must not cost the user a file.
  for (const [path, recorded] of Object.entries(manifest.files)) {
    if (planned.has(path) || recorded.owner === "merge" || !isProjectPath(path) || !isEvgenPath(path)) continue;
    if (disk.read(path) === undefined) continue;
    if (isAsWritten(disk, path, recorded)) {
      changes.push({ kind: "delete", path });
    } else {
      warnings.push({ path, reason: STALE_KEPT });
      next.files[path] = recorded; // so that the warning comes back until the file is gone
    }
  }

  const manifestText = serializeManifest(next);
  const currentManifest = disk.read(MANIFEST_PATH);
  if (manifestText !== currentManifest) {
    changes.push({
      kind: currentManifest === undefined ? "create" : "update",
      path: MANIFEST_PATH,
      content: manifestText,
    });
  }
  return { changes: byPath(changes), conflicts: byPath(conflicts), warnings: byPath(warnings) };
}

/** Carries out a plan that has no conflicts: writes first, deletions after, the manifest last. */
export function applyCommit(plan: CommitPlan, disk: ProjectDir): void {
  if (plan.conflicts.length > 0) throw new Error("a commit with conflicts must not be applied");
  // Every path is checked before the first write, so a refused one leaves the project as it was.
  for (const change of plan.changes) disk.checkWritable(change.path);
  const ordered = [
    ...plan.changes.filter((change) => change.kind !== "delete" && change.path !== MANIFEST_PATH),
    ...plan.changes.filter((change) => change.kind === "delete"),
    ...plan.changes.filter((change) => change.path === MANIFEST_PATH),
  ];
  for (const change of ordered) {
    if (change.kind === "delete") disk.delete(change.path);
    else disk.write(change.path, change.content);
  }
}
