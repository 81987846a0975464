// Writing a file so that neither a reader nor an attacker gets a say: the text goes to a temporary
// file created exclusively under an unguessable name (O_CREAT | O_EXCL never opens an existing
// file or follows a link planted there), then replaces the target by a rename, which replaces a
// link rather than writing through it. Callers refuse links at the target first (paths.ts).
import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";

/** Unguessable per process; a counter tells one process's temporary files apart. */
const token = randomBytes(8).toString("hex");
let written = 0;

export function writeFileReplacing(target: string, content: string): void {
  const temporary = `${target}.evgen-${token}-${written++}.tmp`;
  writeFileSync(temporary, content, { flag: "wx" });
  try {
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
