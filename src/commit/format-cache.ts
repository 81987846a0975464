// The format cache of a project: for every file whose text on disk is still what evgen wrote, the
// manifest's source hash maps to that text. A run whose templates render the same source then
// gets its formatted text without running prettier.
import type { ProjectDir } from "./disk.js";
import type { Manifest } from "./manifest.js";

export function formatCacheFrom(manifest: Manifest, disk: ProjectDir): Map<string, string> {
  const cache = new Map<string, string>();
  for (const [path, entry] of Object.entries(manifest.files)) {
    if (entry.source !== undefined && disk.hash(path) === entry.sha256) cache.set(entry.source, disk.read(path)!);
  }
  return cache;
}
