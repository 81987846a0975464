// The fast answer for an unchanged project: when the spec and evgen itself are what the manifest
// says the files were generated from, and every file is still what was written (the user's still
// exist), generating again would give the same bytes. Nothing needs to be parsed or rendered.
import type { ProjectDir } from "./disk.js";
import type { Manifest } from "./manifest.js";

export function isUpToDate(manifest: Manifest, disk: ProjectDir, inputs: string): boolean {
  if (manifest.inputs !== inputs) return false;
  return Object.entries(manifest.files).every(([path, entry]) => {
    return entry.owner === "user" ? disk.read(path) !== undefined : disk.hash(path) === entry.sha256;
  });
}
