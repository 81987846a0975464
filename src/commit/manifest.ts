// .evgen/manifest.json: what evgen wrote, with hashes. It tells a stale generated file (delete it)
// from a file evgen never created (leave it), and a generated file edited by hand (refuse) from
// one evgen wrote (overwrite). `source` is the hash of the text before formatting: when it and
// the file on disk are both unchanged, the file's formatted text is known without running prettier.
// User files are listed too, with hashes only when evgen wrote them: while a user file still has
// its `sha256` evgen keeps it in step with the spec and may delete it with its consumer; once
// edited it is the user's, and `source` tells whether evgen would now write something else
// (then generate warns once, and records the new `source`). `inputs` fingerprints what
// the files were generated from (spec and evgen itself): see up-to-date.ts.
import { z } from "zod";
import { isProjectPath } from "./paths.js";

export const MANIFEST_PATH = ".evgen/manifest.json";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const manifestSchema = z.object({
  evgen: z.literal(1),
  inputs: sha256.optional(),
  files: z.record(
    z.string(),
    z.union([
      z.object({ owner: z.enum(["evgen", "merge"]), sha256, source: sha256 }),
      z.object({ owner: z.literal("user"), sha256: sha256.optional(), source: sha256.optional() }),
    ]),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestEntry = Manifest["files"][string];

export class ManifestError extends Error {}

export function emptyManifest(): Manifest {
  return { evgen: 1, files: {} };
}

export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestError(`${MANIFEST_PATH} is not valid JSON; delete it to start over`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(
      `${MANIFEST_PATH} is not an evgen manifest (${issue?.path.join(".")}: ${issue?.message}); delete it to start over`,
    );
  }
  const escaping = Object.keys(parsed.data.files).find((path) => !isProjectPath(path));
  if (escaping !== undefined) {
    throw new ManifestError(
      `${MANIFEST_PATH} lists ${JSON.stringify(escaping)}, which is not a relative path inside the project; delete it to start over`,
    );
  }
  return parsed.data;
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
