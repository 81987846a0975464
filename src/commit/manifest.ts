// .evgen/manifest.json: what evgen wrote, with hashes. It tells a stale generated file (delete it)
// from a file evgen never created (leave it), and a generated file edited by hand (refuse) from
// one evgen wrote (overwrite). `source` is the hash of the text before formatting: when it and
// the file on disk are both unchanged, the file's formatted text is known without running prettier.
// User files are listed too, with hashes only when evgen wrote them: while a user file still has
// its `sha256` evgen keeps it in step with the spec and may delete it with its consumer; once
// edited it is the user's, and `source` tells whether evgen would now write something else
// (then generate warns once, and records the new `source`). `inputs` fingerprints what
// the files were generated from (spec and evgen itself): see up-to-date.ts.
import { isProjectPath } from "./paths.js";

export const MANIFEST_PATH = ".evgen/manifest.json";

export type ManifestEntry =
  { owner: "evgen" | "merge"; sha256: string; source: string } | { owner: "user"; sha256?: string; source?: string };

export interface Manifest {
  evgen: 1;
  inputs?: string;
  files: Record<string, ManifestEntry>;
}

export class ManifestError extends Error {}

export function emptyManifest(): Manifest {
  return { evgen: 1, files: {} };
}

// Checked by hand, not with zod: an unchanged project is answered from the manifest alone, and
// loading zod would take longer than the whole answer (docs/architecture.md, Speed).
const SHA256 = /^[0-9a-f]{64}$/;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isHash = (value: unknown) => typeof value === "string" && SHA256.test(value);
const ENTRY_KEYS = new Set(["owner", "sha256", "source"]);

/** What is wrong with an entry, or undefined when it is one. */
function entryProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return "expected an object";
  if (entry.owner !== "evgen" && entry.owner !== "merge" && entry.owner !== "user") {
    return "owner must be evgen, merge or user";
  }
  const optional = entry.owner === "user";
  for (const key of ["sha256", "source"] as const) {
    if (entry[key] === undefined ? !optional : !isHash(entry[key])) return `${key} must be a SHA-256 hash`;
  }
  return undefined;
}

export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestError(`${MANIFEST_PATH} is not valid JSON; delete it to start over`);
  }
  const problem = (where: string, what: string) =>
    new ManifestError(`${MANIFEST_PATH} is not an evgen manifest (${where}: ${what}); delete it to start over`);
  if (!isObject(json)) throw problem("", "expected an object");
  if (json.evgen !== 1) throw problem("evgen", "expected 1");
  if (json.inputs !== undefined && !isHash(json.inputs)) throw problem("inputs", "must be a SHA-256 hash");
  if (!isObject(json.files)) throw problem("files", "expected an object");
  const entries = Object.entries(json.files).map(([path, entry]): [string, ManifestEntry] => {
    const wrong = entryProblem(entry);
    if (wrong) throw problem(`files.${path}`, wrong);
    // Only the known keys (an unknown one is dropped when the manifest is written again).
    return [
      path,
      Object.fromEntries(Object.entries(entry as object).filter(([key]) => ENTRY_KEYS.has(key))) as ManifestEntry,
    ];
  });
  // fromEntries defines each path as an own property, "__proto__" included.
  const files = Object.fromEntries(entries);
  const escaping = Object.keys(files).find((path) => !isProjectPath(path));
  if (escaping !== undefined) {
    throw new ManifestError(
      `${MANIFEST_PATH} lists ${JSON.stringify(escaping)}, which is not a relative path inside the project; delete it to start over`,
    );
  }
  return { evgen: 1, ...(json.inputs === undefined ? {} : { inputs: json.inputs as string }), files };
}

/** Sorted by path, so that the same project always gives the same bytes. */
export function serializeManifest(manifest: Manifest): string {
  const files = Object.fromEntries(
    Object.keys(manifest.files)
      .sort()
      .map((path) => [path, manifest.files[path]]),
  );
  return `${JSON.stringify({ evgen: manifest.evgen, inputs: manifest.inputs, files }, null, 2)}\n`;
}

/**
 * Whether two manifest texts differ in `inputs` alone: the fingerprint of the evgen and spec that
 * wrote the files, a shortcut for `generate`, not part of what was generated. Another build of the
 * same evgen (or evgen run from its sources) fingerprints differently and writes the same files.
 */
export function differsInInputsOnly(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const withoutInputs = (text: string) => {
    try {
      const { inputs: _inputs, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return JSON.stringify(rest);
    } catch {
      return undefined;
    }
  };
  const left = withoutInputs(a);
  return left !== undefined && left === withoutInputs(b);
}
