// evgen schema: the JSON Schema of evgen.yaml, for editors and other tools.
import { Command } from "commander";
import type { CliContext } from "../context.js";

export function schemaCommand(context: CliContext): Command {
  return new Command("schema")
    .description("print the JSON Schema of evgen.yaml")
    .addHelpText(
      "after",
      `
Examples:
  $ evgen schema > evgen.schema.json
  Editors with the YAML language server pick it up from the first line evgen init writes:
  # yaml-language-server: $schema=./node_modules/evgen/schema/evgen.schema.json`,
    )
    .action(async () => {
      const { specJsonSchema } = await import("../../spec/json-schema.js");
      context.io.stdout(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);
      context.exitCode = 0;
    });
}
