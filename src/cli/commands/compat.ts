// evgen compat: breaking changes of events between the spec and an older one (a file or a git
// revision); exit 1 when there is any, so CI can stop a release that would break running services.
import { Command } from "commander";
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { displayPath } from "../generation.js";
import type { CliIO } from "../io.js";
import { oneOf, or, parseOptions, required, text, type Options } from "../options.js";
import { printableJson } from "../printable.js";
import { specIR } from "../spec-ir.js";
import { findSpec, SPEC_OPTION, readSpecText } from "../spec-file.js";
import { MAX_SPEC_BYTES, MAX_SPEC_SIZE_TEXT } from "../../load/limits.js";
import { plural, styleFor } from "../style.js";

const optionRules = {
  spec: text(),
  against: required(text()),
  format: or(oneOf(["text", "json"]), "text"),
};

/** The older spec's text: a file, else `<rev>:<spec>` from git, run where the spec lives. */
async function readAgainst(io: CliIO, against: string, specPath: string): Promise<{ text: string; name: string }> {
  const asFile = resolve(io.cwd, against);
  if (existsSync(asFile)) return { text: readSpecText(asFile), name: displayPath(io.cwd, asFile) };
  // Passed to git as an argument, never through a shell; a leading "-" would read as an option.
  if (against.startsWith("-")) {
    throw new UsageError(`--against ${against}: no such file, and not a git revision`);
  }
  // Loaded only here: no other command runs a program.
  const { execFileSync } = await import("node:child_process");
  try {
    const text = execFileSync("git", ["show", `${against}:./${basename(specPath)}`], {
      cwd: dirname(specPath),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: MAX_SPEC_BYTES,
      timeout: 60_000,
    });
    return { text, name: `${against}:${basename(specPath)}` };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOBUFS") {
      throw new CliError(`${against}:${basename(specPath)} is larger than ${MAX_SPEC_SIZE_TEXT}, the most evgen reads`);
    }
    throw new UsageError(`--against ${against}: no such file, and git has no ${basename(specPath)} at that revision`);
  }
}

async function run(io: CliIO, options: Options<typeof optionRules>): Promise<number> {
  const specPath = findSpec(io.cwd, options.spec);
  const older = await readAgainst(io, options.against, specPath);
  const { compareSpecs, formatChange } = await import("../../compat/compare.js");
  const changes = compareSpecs(
    await specIR(io, older.text, older.name),
    await specIR(io, readSpecText(specPath), displayPath(io.cwd, specPath)),
  );

  if (options.format === "json") {
    io.stdout(`${printableJson(JSON.stringify({ against: older.name, breaking: changes }, null, 2))}\n`);
  } else {
    for (const change of changes) io.stdout(`${formatChange(change)}\n`);
    const { green, red } = styleFor(io);
    io.stderr(
      changes.length === 0
        ? `${green("compatible")} with ${older.name}\n`
        : `${red("breaking")}: ${plural(changes.length, "change")} against ${older.name}\n`,
    );
  }
  return changes.length === 0 ? 0 : 1;
}

export function compatCommand(context: CliContext): Command {
  return new Command("compat")
    .description("list breaking changes of events against an older spec (a file or a git revision); exit 1 when any")
    .requiredOption("--against <file|git-rev>", "the older spec: a path, or a git revision such as main or HEAD~1")
    .option(...SPEC_OPTION)
    .option("--format <format>", "text or json (json goes to stdout)", "text")
    .addHelpText(
      "after",
      `
Breaking: an event, or one of its versions, removed; in an existing version, at any depth and
through the named types it uses (named by path, such as items[].price), a field removed, made
required or optional, added as required without a default, given another type, or a constraint
changed (maxLength, minimum, pattern, enum values, ...); a Kafka event moved to another topic or key.
Compatible: new events, new versions, new optional fields or required ones with a default,
renamed types of the same structure, changes to types no event uses.

Examples:
  $ evgen compat --against main               in CI, before merging
  $ evgen compat --against ../released/evgen.yaml --format json`,
    )
    .action(async (raw: unknown) => {
      context.exitCode = await run(context.io, parseOptions(optionRules, raw));
    });
}
