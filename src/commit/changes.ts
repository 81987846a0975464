// Compares the rendered project with the disk and the manifest, and decides what a commit does:
// which files to create, update or delete, and which it must refuse to touch.
import { sha256 } from "../format/hash.js";
import { byPath } from "../plan/plan.js";
import type { OutputFile } from "../plan/types.js";
import type { ProjectDir } from "./disk.js";
import { MANIFEST_PATH, serializeManifest, type Manifest } from "./manifest.js";

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
}

const EDITED = "edited by hand since evgen wrote it (--force overwrites it)";
const FOREIGN = "exists but evgen did not write it (--force overwrites it)";
const EDITED_STALE = "no longer generated, but edited by hand since evgen wrote it (--force deletes it)";

export interface CommitInput {
  /** The rendered files. */
  files: OutputFile[];
  /** The user's files that exist and were not rendered: never compared, never touched. */
  kept: string[];
  /** Fingerprint of what the files are generated from, recorded in the manifest. */
  inputs: string;
  force: boolean;
}

export function planCommit(input: CommitInput, disk: ProjectDir, manifest: Manifest): CommitPlan {
  const { files, kept, force } = input;
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const next: Manifest = { evgen: 1, inputs: input.inputs, files: {} };
  const planned = new Set([...files.map((file) => file.path), ...kept]);
  for (const path of kept) next.files[path] = manifest.files[path] ?? { owner: "user" };

  for (const file of files) {
    const current = disk.read(file.path);
    const recorded = manifest.files[file.path];
    const entry = { owner: file.owner, sha256: sha256(file.content), source: file.sourceHash };
    if (current === undefined) {
      changes.push({ kind: "create", path: file.path, content: file.content });
      next.files[file.path] = entry;
    } else if (file.owner === "user") {
      // Rendered although it exists (the caller did not say): the user's all the same.
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

  for (const [path, recorded] of Object.entries(manifest.files)) {
    if (planned.has(path) || recorded.owner !== "evgen") continue;
    const current = disk.hash(path);
    if (current === undefined) continue;
    if (!force && current !== recorded.sha256) conflicts.push({ path, reason: EDITED_STALE });
    changes.push({ kind: "delete", path });
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
  return { changes: byPath(changes), conflicts: byPath(conflicts) };
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
