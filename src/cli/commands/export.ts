// evgen export asyncapi: the spec as an AsyncAPI 3.1 document (YAML, or JSON for a .json file).
import { Command } from "commander";
import { resolve } from "node:path";
import type { CliContext } from "../context.js";
import { displayPath } from "../generation.js";
import type { CliIO } from "../io.js";
import { oneOf, parseOptions, text, type Options } from "../options.js";
import { writeOutputFile } from "../output-file.js";
import { specIR } from "../spec-ir.js";
import { findSpec, SPEC_OPTION, readSpecText } from "../spec-file.js";

const optionRules = {
  spec: text(),
  out: text(),
  format: oneOf(["yaml", "json"]),
};

async function runAsyncApi(io: CliIO, options: Options<typeof optionRules>): Promise<number> {
  const specPath = findSpec(io.cwd, options.spec);
  const { renderAsyncApi } = await import("../../asyncapi/export.js");
  const ir = await specIR(io, readSpecText(specPath), displayPath(io.cwd, specPath));
  const toStdout = options.out === undefined || options.out === "-";
  const format = options.format ?? (!toStdout && /\.json$/i.test(options.out!) ? "json" : "yaml");
  const text = renderAsyncApi(ir, format);
  if (toStdout) {
    io.stdout(text);
    return 0;
  }
  const path = resolve(io.cwd, options.out!);
  writeOutputFile(io, path, text);
  return 0;
}

function asyncApiCommand(context: CliContext): Command {
  return new Command("asyncapi")
    .description("write the spec as an AsyncAPI 3.1 document")
    .option(...SPEC_OPTION)
    .option("--out <file>", "the document (default: stdout); a .json file gets JSON, anything else YAML")
    .option("--format <format>", "yaml or json (default: from the --out extension, else yaml)")
    .addHelpText(
      "after",
      `
Kafka: a channel per topic; RabbitMQ: a channel per routing key on the exchange and one per consumer
queue. A message per event version (payload as JSON Schema under components/schemas, CloudEvents
headers, x-evgen-key), a send operation per event and a receive operation per consumer. Server URLs
carry no credentials.

Examples:
  $ evgen export asyncapi --out asyncapi.yaml
  $ evgen export asyncapi --out asyncapi.json
  $ evgen export asyncapi --format json | jq '.channels | keys'`,
    )
    .action(async (raw: unknown) => {
      context.exitCode = await runAsyncApi(context.io, parseOptions(optionRules, raw));
    });
}

export function exportCommand(context: CliContext): Command {
  return new Command("export")
    .description("write the spec in another format: asyncapi")
    .addCommand(asyncApiCommand(context))
    .addHelpText(
      "after",
      `
Examples:
  $ evgen export asyncapi --out asyncapi.yaml`,
    );
}
