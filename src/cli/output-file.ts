// Writing a command's output to a file: its folder is made when missing, and the path is reported.
// A symbolic link at the path is refused rather than written through (docs/spec.md, Safety), and
// so is one on the way to it inside the project when the path is the command's default there.
import { lstatSync, mkdirSync } from "node:fs";
import { dirname, relative } from "node:path";
import { PathError, isProjectPath, refuseLinks } from "../commit/paths.js";
import { writeFileReplacing } from "../commit/write-file.js";
import { displayPath } from "./generation.js";
import type { CliIO } from "./io.js";
import { styleFor } from "./style.js";

export function writeOutputFile(io: CliIO, path: string, text: string, project?: string): void {
  const inside = project === undefined ? undefined : relative(project, path).split("\\").join("/");
  if (project !== undefined && inside !== undefined && isProjectPath(inside)) refuseLinks(project, inside);
  else if (isLink(path))
    throw new PathError(displayPath(io.cwd, path), "it is a symbolic link; evgen does not write through links");
  mkdirSync(dirname(path), { recursive: true });
  writeFileReplacing(path, text);
  io.stderr(`${styleFor(io).green("wrote")} ${displayPath(io.cwd, path)}\n`);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
