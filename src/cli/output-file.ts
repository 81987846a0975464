// Writing a command's output to a file: its folder is made when missing, and the path is reported.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { displayPath } from "./generation.js";
import type { CliIO } from "./io.js";
import { styleFor } from "./style.js";

export function writeOutputFile(io: CliIO, path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  io.stderr(`${styleFor(io).green("wrote")} ${displayPath(io.cwd, path)}\n`);
}
