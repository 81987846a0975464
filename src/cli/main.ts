// The evgen CLI: a thin commander shell. Commands leave an exit code in the context; user errors
// become a message and an exit code, never a stack trace. Commands load the pipeline stages they
// need when they run, so a command pays only for what it uses.
import { Command, CommanderError } from "commander";
import { ManifestError } from "../commit/manifest.js";
import { PathError } from "../commit/paths.js";
import { readEvgenPackage } from "../render/assets.js";
import { ExistingFileError } from "../render/package-json.js";
import { addConsumerCommand } from "./commands/add-consumer.js";
import { addEventCommand } from "./commands/add-event.js";
import { compatCommand } from "./commands/compat.js";
import { docsCommand } from "./commands/docs.js";
import { exportCommand } from "./commands/export.js";
import { generateCommand } from "./commands/generate.js";
import { importCommand } from "./commands/import.js";
import { initCommand } from "./commands/init.js";
import { schemaCommand } from "./commands/schema.js";
import { validateCommand } from "./commands/validate.js";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";
import { processIO, type CliIO } from "./io.js";
import { printableText } from "./printable.js";
import { styleFor } from "./style.js";

function program(context: CliContext): Command {
  const { io } = context;
  const { red } = styleFor(io);
  const root = new Command("evgen")
    .description("Generate event-driven TypeScript services for Kafka and RabbitMQ from evgen.yaml")
    .version(readEvgenPackage().version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(red(text)),
    })
    .addHelpText(
      "after",
      `
Examples:
  $ evgen init shop --broker kafka     start a project
  $ evgen add-event order.cancelled --field orderId:uuid --key orderId
  $ evgen add-consumer audit --on order.created
  $ evgen validate                     check evgen.yaml
  $ evgen generate                     regenerate after editing evgen.yaml
  $ evgen generate --check             in CI: fail when the generated code is out of date
  $ evgen compat --against main        in CI: fail on breaking changes of events
  $ evgen docs                         write docs/events.md, the event catalog
  $ evgen export asyncapi --out asyncapi.yaml
  $ evgen import asyncapi asyncapi.yaml   an evgen.yaml from an AsyncAPI 3.1 or 3.0 document

Exit codes: 0 ok, 1 invalid spec, out of date or refused, 2 wrong usage.`,
    );
  for (const command of [
    initCommand,
    addEventCommand,
    addConsumerCommand,
    validateCommand,
    compatCommand,
    generateCommand,
    docsCommand,
    exportCommand,
    importCommand,
    schemaCommand,
  ]) {
    const child = command(context).copyInheritedSettings(root);
    // Subcommands (export asyncapi, import asyncapi) report errors the same way.
    for (const sub of child.commands) sub.copyInheritedSettings(child);
    root.addCommand(child);
  }
  return root;
}

/** Problems the user can fix (a broken manifest, a file system refusing access): a message, no stack trace. */
function isUserError(error: unknown): error is Error {
  if ([ManifestError, PathError, ExistingFileError].some((type) => error instanceof type)) return true;
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

/** Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const context: CliContext = { io, exitCode: 0 };
  const { red } = styleFor(io);
  try {
    await program(context).parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      io.stderr(`${red("error")} ${printableText(error.message)}\n`);
      return error.exitCode;
    }
    if (isUserError(error)) {
      io.stderr(`${red("error")} ${printableText(error.message)}\n`);
      return 1;
    }
    io.stderr(
      `${red("evgen failed unexpectedly; please report this:")}\n${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
