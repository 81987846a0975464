// Every path evgen reads, writes or deletes stays inside the project directory: a planned path or
// a manifest entry that would escape it, directly or through a symlink, is refused. Below the
// project directory evgen writes through no symlink at all, wherever it leads.
import { existsSync, lstatSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";

export class PathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`refusing path ${JSON.stringify(path)}: ${reason}`);
  }
}

/** A project-relative path in normal form: forward slashes, no "." or ".." segments, not absolute. */
export function isProjectPath(path: string): boolean {
  if (path === "" || path.includes("\\") || path.includes("\0") || path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    return false;
  }
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/** Where `path` really is: symlinks resolved in the part that exists, the rest appended. */
function realLocation(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realLocation(parent), basename(path));
}

/** The absolute location of `path` under `root`, checked against escapes through symlinks too. */
export function resolveInside(root: string, path: string): string {
  if (!isProjectPath(path)) throw new PathError(path, "not a relative path inside the project");
  const target = join(root, path);
  const rel = relative(realLocation(root), realLocation(target));
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`)) {
    throw new PathError(path, "it leads outside the project directory");
  }
  return target;
}

/**
 * Refuses `path` when it, or a folder on the way to it below `root`, is a symbolic link: a link
 * planted in a project must not decide where evgen writes. Parts that do not exist yet are fine.
 */
export function refuseLinks(root: string, path: string): void {
  const segments = path.split("/");
  for (let i = 1; i <= segments.length; i++) {
    const part = segments.slice(0, i).join("/");
    let isLink: boolean;
    try {
      isLink = lstatSync(join(root, part)).isSymbolicLink();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    if (isLink)
      throw new PathError(path, `${JSON.stringify(part)} is a symbolic link; evgen does not write through links`);
  }
}
