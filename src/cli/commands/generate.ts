// evgen generate: render the project from the spec and write what changed.
import { Command } from "commander";
import { dirname } from "node:path";
import type { CliContext } from "../context.js";
import { differsInInputsOnly, MANIFEST_PATH } from "../../commit/manifest.js";
import { CliError, UsageError } from "../errors.js";
import {
  displayPath,
  prepareGeneration,
  printChanges,
  printIssues,
  printWarnings,
  writablePlan,
  writePlan,
} from "../generation.js";
import type { CliIO } from "../io.js";
import { flag, parseOptions, text, type Options as CheckedOptions } from "../options.js";
import { findSpec, SPEC_OPTION, readSpecText } from "../spec-file.js";
import { plural } from "../style.js";

const optionRules = {
  spec: text(),
  check: flag(),
  dryRun: flag(),
  force: flag(),
};

type Options = CheckedOptions<typeof optionRules>;

function parseGenerateOptions(raw: unknown): Options {
  const options = parseOptions(optionRules, raw);
  if (options.check && options.dryRun) throw new UsageError("--check and --dry-run cannot be used together");
  return options;
}

async function run(io: CliIO, options: Options): Promise<number> {
  const specPath = findSpec(io.cwd, options.spec);
  const generation = await prepareGeneration({
    root: dirname(specPath),
    specFile: displayPath(io.cwd, specPath),
    specText: readSpecText(specPath),
    force: options.force,
  });

  if (options.check) {
    printIssues(io, generation.issues);
    const { plan } = generation;
    if (!plan) throw new CliError("the spec has errors");
    printWarnings(io, plan);
    // Only the generated files count: a manifest whose fingerprint alone moved is not drift.
    const changes = plan.changes.filter(
      (change) =>
        change.path !== MANIFEST_PATH ||
        change.kind === "delete" ||
        !differsInInputsOnly(generation.disk.read(MANIFEST_PATH), change.content),
    );
    if (changes.length === 0) {
      io.stderr("up to date\n");
      return 0;
    }
    printChanges(io, { ...plan, changes });
    io.stderr(`${plural(changes.length, "file")} out of date: run \`evgen generate\`\n`);
    return 1;
  }

  const plan = writablePlan(io, generation);
  if (options.dryRun) {
    printChanges(io, plan);
    io.stderr(`dry run: ${plural(plan.changes.length, "file")} would change, nothing written\n`);
    return 0;
  }
  writePlan(io, generation, plan);
  io.stderr(plan.changes.length === 0 ? "up to date\n" : `${plural(plan.changes.length, "file")} written\n`);
  return 0;
}

export function generateCommand(context: CliContext): Command {
  return new Command("generate")
    .description("render the project from the spec: src/generated/ is rewritten, your files are kept")
    .option(...SPEC_OPTION)
    .option("--check", "write nothing; exit 1 and list the files when anything would change")
    .option("--dry-run", "list what would change and write nothing")
    .option("--force", "overwrite or delete generated files even when edited by hand")
    .addHelpText(
      "after",
      `
Examples:
  $ evgen generate                 write what changed since the last run
  $ evgen generate --check         in CI: fail when the generated code is out of date
  $ evgen generate --dry-run       see what would change
  $ evgen generate --spec services/shop/evgen.yaml`,
    )
    .action(async (raw: unknown) => {
      context.exitCode = await run(context.io, parseGenerateOptions(raw));
    });
}
