// The IR of a spec for the commands that read it without generating (docs, export, compat):
// warnings are printed, errors are printed and stop the command before anything is written.
import type { IR } from "../ir/types.js";
import { CliError } from "./errors.js";
import { printIssues } from "./generation.js";
import type { CliIO } from "./io.js";

export async function specIR(io: CliIO, text: string, file: string): Promise<IR> {
  const { validateSpec } = await import("../validate/index.js");
  const { buildIR } = await import("../ir/build.js");
  const result = validateSpec(text, file);
  if (!result.ok) {
    printIssues(io, result.issues);
    throw new CliError(`${file} is not a valid spec; nothing written`);
  }
  printIssues(io, result.warnings);
  return buildIR(result.spec);
}
