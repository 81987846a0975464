// evgen add-consumer: add a consumer to evgen.yaml, then regenerate (its handler is scaffolded).
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { flag, list, parseOptions, text } from "../options.js";
import { editSpecAndGenerate } from "../spec-edit-flow.js";
import { SPEC_OPTION } from "../spec-file.js";

const optionRules = {
  spec: text(),
  on: list(1, "name at least one event type the consumer handles"),
  emits: list(),
  description: text(),
  force: flag(),
};

export function addConsumerCommand(context: CliContext): Command {
  return new Command("add-consumer")
    .description("add a consumer to evgen.yaml (comments and layout kept), then regenerate")
    .argument("<name>", "consumer name: [a-z][a-z0-9-]*, e.g. send-confirmation")
    .requiredOption("--on <type...>", "event types it handles")
    .option("--emits <type...>", "event types its handlers may publish")
    .option("--description <text>", "what the consumer does")
    .option(...SPEC_OPTION)
    .option("--force", "overwrite generated files even when edited by hand")
    .addHelpText(
      "after",
      `
Retry, dead-letter and idempotency settings start at their defaults; tune them in evgen.yaml.

Examples:
  $ evgen add-consumer send-confirmation --on order.created --emits notification.sent
  $ evgen add-consumer audit-log --on order.created order.shipped`,
    )
    .action(async (name: string, raw: unknown) => {
      const options = parseOptions(optionRules, raw);
      context.exitCode = await editSpecAndGenerate(
        context.io,
        options,
        (text, { addConsumer }) =>
          addConsumer(text, {
            name,
            on: options.on,
            emits: options.emits,
            ...(options.description ? { description: options.description } : {}),
          }),
        `added consumer ${name}; write its handlers in src/handlers/${name}.ts`,
      );
    });
}
