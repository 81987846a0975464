// evgen add-event: add an event (or a new version of one) to evgen.yaml, then regenerate.
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { flag, list, parseOptions, text } from "../options.js";
import { editSpecAndGenerate } from "../spec-edit-flow.js";
import { SPEC_OPTION } from "../spec-file.js";

const optionRules = {
  spec: text(),
  field: list(),
  key: text(),
  topic: text(),
  description: text(),
  newVersion: flag(),
  force: flag(),
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addEventCommand(context: CliContext): Command {
  return new Command("add-event")
    .description("add an event to evgen.yaml (comments and layout kept), then regenerate")
    .argument("<type>", "event type: 2+ dot-separated segments, e.g. order.created")
    .option("--field <name:type>", "a payload field; repeat it; `name?:type` is optional", collect)
    .option("--key <field>", "the field used as the Kafka message key")
    .option("--topic <topic>", "Kafka topic (default: the event type)")
    .option("--description <text>", "what the event means")
    .option("--new-version", "add the next version of an existing event (without --field: a copy of the latest)")
    .option(...SPEC_OPTION)
    .option("--force", "overwrite generated files even when edited by hand")
    .addHelpText(
      "after",
      `
Field types: string number integer boolean uuid email url datetime date, a named type, any with [].

Examples:
  $ evgen add-event order.cancelled --field orderId:uuid --field reason?:string --key orderId
  $ evgen add-event order.shipped --new-version --field orderId:uuid --field carrier:string --field eta?:datetime
  $ evgen add-event order.shipped --new-version      copy the latest version, then edit it`,
    )
    .action(async (type: string, raw: unknown) => {
      const options = parseOptions(optionRules, raw);
      context.exitCode = await editSpecAndGenerate(
        context.io,
        options,
        (text, { addEvent, parseFieldArg }) =>
          addEvent(text, {
            type,
            fields: options.field.map(parseFieldArg),
            newVersion: options.newVersion,
            ...(options.key ? { key: options.key } : {}),
            ...(options.topic ? { topic: options.topic } : {}),
            ...(options.description ? { description: options.description } : {}),
          }),
        options.newVersion ? `added a version of ${type}` : `added ${type}`,
      );
    });
}
