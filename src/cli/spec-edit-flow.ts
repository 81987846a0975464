// The flow shared by `add-event` and `add-consumer`: edit the spec text, generate from the edited
// text, and write the spec and the project only if both succeed — a rejected edit writes nothing.
import { writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "./errors.js";
import { displayPath, prepareGeneration, writablePlan, writePlan } from "./generation.js";
import type { CliIO } from "./io.js";
import { findSpec, readSpecText } from "./spec-file.js";
import { plural } from "./style.js";

type SpecEditor = typeof import("../edit/spec-edit.js");

export async function editSpecAndGenerate(
  io: CliIO,
  options: { spec?: string; force?: boolean },
  /** The edit, given the spec editor (loaded here: it brings the YAML parser, which most commands never need). */
  edit: (text: string, editor: SpecEditor) => string,
  done: string,
): Promise<number> {
  const specPath = findSpec(io.cwd, options.spec);
  const editor = await import("../edit/spec-edit.js");
  let edited: string;
  try {
    edited = edit(readSpecText(specPath), editor);
  } catch (error) {
    if (error instanceof editor.EditError) throw new UsageError(error.message);
    throw error;
  }
  const generation = await prepareGeneration({
    root: dirname(specPath),
    specFile: displayPath(io.cwd, specPath),
    specText: edited,
    force: options.force ?? false,
  });
  if (!generation.plan) io.stderr("the spec would be invalid after this change (positions are in the edited spec):\n");
  const plan = writablePlan(io, generation);
  writeFileSync(specPath, edited);
  writePlan(io, generation, plan);
  io.stderr(`${done}; ${plural(plan.changes.length, "file")} written\n`);
  return 0;
}
