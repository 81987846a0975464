import type { CliIO } from "./io.js";

/** What a command gets: the process IO, and where to leave its exit code. */
export interface CliContext {
  io: CliIO;
  exitCode: number;
}
