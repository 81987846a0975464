// evgen import asyncapi <file>: an evgen.yaml from an AsyncAPI 3.1 or 3.0 document, best effort. What
// has no place in evgen.yaml is listed as a warning with its AsyncAPI path; the spec is written
// only when it validates, and never over an existing file.
import { Command } from "commander";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { BROKERS, brokerChoice } from "../examples.js";
import { displayPath, printIssues } from "../generation.js";
import type { CliIO } from "../io.js";
import { oneOf, or, parseOptions, text, type Options } from "../options.js";
import { MAX_ASYNCAPI_BYTES, MAX_ASYNCAPI_SIZE_TEXT } from "../../load/limits.js";
import { readBounded, SPEC_FILE } from "../spec-file.js";
import { plural, styleFor } from "../style.js";

const optionRules = {
  broker: oneOf(BROKERS),
  out: or(text(), SPEC_FILE),
};

async function runAsyncApi(io: CliIO, file: string, options: Options<typeof optionRules>): Promise<number> {
  const source = resolve(io.cwd, file);
  if (!existsSync(source)) throw new UsageError(`no such file: ${file}`);
  const toStdout = options.out === "-";
  const out = resolve(io.cwd, options.out);
  const shown = displayPath(io.cwd, out);
  if (!toStdout && existsSync(out)) {
    throw new CliError(`${shown} exists; nothing written (pass --out <file> to write elsewhere)`);
  }
  const { importAsyncApi, AsyncApiImportError } = await import("../../asyncapi/import/index.js");
  let result;
  try {
    const text = readBounded(source, file, MAX_ASYNCAPI_BYTES, `AsyncAPI documents up to ${MAX_ASYNCAPI_SIZE_TEXT}`);
    result = importAsyncApi(text, {
      ...(options.broker ? { broker: options.broker } : {}),
      sourceName: basename(source),
      readFile: (relativePath) => readBeside(source, relativePath),
      specFile: toStdout ? SPEC_FILE : shown,
    });
  } catch (error) {
    if (error instanceof AsyncApiImportError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
  const { yellow, green } = styleFor(io);
  for (const warning of result.warnings)
    io.stderr(`${yellow(`${file}${warning.path}`)}  warning: ${warning.message}\n`);
  if (!result.ok) {
    // The spec was not written, so its line numbers alone would not help: each issue names its key too.
    printIssues(
      io,
      result.issues.map((issue) => (issue.path ? { ...issue, message: `${issue.path}: ${issue.message}` } : issue)),
    );
    throw new CliError(`the imported spec is not valid; nothing written`);
  }
  if (toStdout) io.stdout(result.text);
  else writeFileSync(out, result.text, { flag: "wx" });
  const summary =
    result.warnings.length > 0 ? ` (${plural(result.warnings.length, "warning")}: not everything was imported)` : "";
  io.stderr(`${green("imported")} ${file} -> ${toStdout ? "stdout" : shown}${summary}\n`);
  return 0;
}

/** A file a $ref of the document names (YAML or JSON), as bounded as the document itself. */
function readBeside(source: string, relativePath: string): string | undefined {
  const path = resolve(dirname(source), relativePath);
  if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size > MAX_ASYNCAPI_BYTES) return undefined;
  return readFileSync(path, "utf8");
}

function asyncApiCommand(context: CliContext): Command {
  return new Command("asyncapi")
    .description("write an evgen.yaml from an AsyncAPI 3.1 or 3.0 document (YAML or JSON), best effort")
    .argument("<file>", "the AsyncAPI 3.1 or 3.0 document")
    .option("--broker <broker>", `${brokerChoice()} (default: from the document's servers)`)
    .option("--out <file>", "the spec to write; refused when it exists (- for stdout)", SPEC_FILE)
    .addHelpText(
      "after",
      `
Messages become event versions (x-evgen-event / x-evgen-version, else the CloudEvents headers, else
the message name), payload schemas become fields, object schemas under components/schemas become
types, receive operations become consumers. Everything that has no place in evgen.yaml is listed as
a warning with its path in the document. Nothing is written unless the result is a valid spec.

Examples:
  $ evgen import asyncapi asyncapi.yaml
  $ evgen import asyncapi api.json --broker rabbitmq --out services/notify/evgen.yaml`,
    )
    .action(async (file: string, raw: unknown) => {
      context.exitCode = await runAsyncApi(context.io, file, parseOptions(optionRules, raw));
    });
}

export function importCommand(context: CliContext): Command {
  return new Command("import")
    .description("write evgen.yaml from another format: asyncapi")
    .addCommand(asyncApiCommand(context))
    .addHelpText(
      "after",
      `
Examples:
  $ evgen import asyncapi asyncapi.yaml`,
    );
}
