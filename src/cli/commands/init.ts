// evgen init: write a starting evgen.yaml (blank or from an example) and generate the project.
import { Command } from "commander";
import { lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { brokerOf } from "../../broker/index.js";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { displayPath, prepareGeneration, writablePlan, writePlan } from "../generation.js";
import type { CliIO } from "../io.js";
import {
  BROKERS,
  brokerChoice,
  DEFAULT_BROKER,
  EXAMPLE_CHOICES,
  EXAMPLES,
  exampleNamed,
  type Broker,
} from "../examples.js";
import { flag, matching, oneOf, parseOptions, type Options as CheckedOptions } from "../options.js";
import { SPEC_FILE } from "../spec-file.js";
import { SERVICE_NAME } from "../../spec/patterns.js";

const optionRules = {
  broker: oneOf(BROKERS, `must be ${brokerChoice()}`),
  name: matching(SERVICE_NAME, "must start with a-z and contain only a-z, 0-9 and -"),
  example: oneOf(EXAMPLE_CHOICES, `must be ${EXAMPLES.join(", ")}`),
  yes: flag(),
};

type Options = CheckedOptions<typeof optionRules>;

/** A valid service name from a directory name: "My Shop" -> "my-shop". */
function serviceNameFrom(directory: string): string {
  const name = directory
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+|-+$/g, "");
  return name || "service";
}

async function askBroker(io: CliIO): Promise<Broker> {
  const answer = (await io.ask(`Broker (${brokerChoice()}) [${DEFAULT_BROKER}]: `)).trim() || DEFAULT_BROKER;
  const broker = BROKERS.find((candidate) => candidate === answer);
  if (broker) return broker;
  throw new UsageError(`unknown broker "${answer}": ${brokerChoice()}`);
}

async function askName(io: CliIO, fallback: string): Promise<string> {
  const answer = (await io.ask(`Service name [${fallback}]: `)).trim() || fallback;
  if (SERVICE_NAME.test(answer)) return answer;
  throw new UsageError(`invalid service name "${answer}": start with a-z, then a-z, 0-9 and - only`);
}

async function run(io: CliIO, directory: string, options: Options): Promise<number> {
  const root = resolve(io.cwd, directory);
  const specPath = join(root, SPEC_FILE);
  const shownSpec = displayPath(io.cwd, specPath);
  // lstat: a dangling symlink is there too (writing through it would create the file it names).
  const existing = lstatSync(specPath, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink()) {
    throw new CliError(`${shownSpec} is a symbolic link; evgen does not write through links`);
  }
  if (existing) {
    throw new CliError(`${shownSpec} already exists: edit it and run \`evgen generate\``);
  }
  const prompt = io.interactive && !options.yes;
  const broker = options.broker ?? (prompt ? await askBroker(io) : options.yes ? DEFAULT_BROKER : undefined);
  if (broker === undefined) {
    throw new UsageError(`--broker ${BROKERS.join("|")} is required (or --yes for ${DEFAULT_BROKER})`);
  }
  const fallbackName = serviceNameFrom(basename(root));
  const service = options.name ?? (prompt ? await askName(io, fallbackName) : fallbackName);

  const { initialSpec } = await import("../initial-spec.js");
  const specText = await initialSpec(
    service,
    broker,
    options.example === undefined ? undefined : exampleNamed(options.example),
  );
  const generation = await prepareGeneration({ root, specFile: shownSpec, specText, force: false });
  const plan = writablePlan(io, generation);
  // A refused path (a link in the folder) is found before the spec is written, not after.
  for (const change of plan.changes) generation.disk.checkWritable(change.path);
  mkdirSync(root, { recursive: true });
  // "wx": created here and now, never an existing file or a link planted since the check above.
  writeFileSync(specPath, specText, { flag: "wx" });
  io.stdout(`create ${SPEC_FILE}\n`);
  writePlan(io, generation, plan);

  const cd = root === resolve(io.cwd) ? "" : `cd ${displayPath(io.cwd, root)} && `;
  io.stderr(`\n${service}: a ${brokerOf(broker).label} service. Next:\n  ${cd}npm install && npm run dev\n`);
  return 0;
}

export function initCommand(context: CliContext): Command {
  return new Command("init")
    .description("start a project: write evgen.yaml and generate the service from it")
    .argument("[dir]", "project directory (created if missing)", ".")
    .option("--broker <broker>", brokerChoice())
    .option("--name <name>", "service name (default: from the directory name)")
    .option("--example <example>", "start from an example: orders, notifications or user-analytics")
    .option("-y, --yes", `ask nothing: defaults for whatever is not given (${DEFAULT_BROKER})`)
    .addHelpText(
      "after",
      `
Examples:
  $ evgen init shop --broker kafka
  $ evgen init --broker rabbitmq --name mailer --example notifications
  $ evgen init my-service --yes

On a terminal, init asks for what is not given unless --yes; elsewhere --broker (or --yes) is required.
An existing evgen.yaml is never overwritten.`,
    )
    .action(async (directory: string, raw: unknown) => {
      context.exitCode = await run(context.io, directory, parseOptions(optionRules, raw));
    });
}
