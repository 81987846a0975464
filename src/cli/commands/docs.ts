// evgen docs: the event catalog of the spec, one Markdown page with a Mermaid flowchart.
import { Command } from "commander";
import { dirname, join, resolve } from "node:path";
import type { CliContext } from "../context.js";
import { displayPath } from "../generation.js";
import type { CliIO } from "../io.js";
import { parseOptions, text, type Options } from "../options.js";
import { writeOutputFile } from "../output-file.js";
import { specIR } from "../spec-ir.js";
import { findSpec, SPEC_OPTION, readSpecText } from "../spec-file.js";

const optionRules = {
  spec: text(),
  out: text(),
};

const PAGE = "events.md";

/** Where the page goes: `-` is stdout, a `.md` path is the page itself, anything else a folder for events.md. */
function target(io: CliIO, specPath: string, out: string | undefined): string | undefined {
  if (out === "-") return undefined;
  if (out === undefined) return join(dirname(specPath), "docs", PAGE);
  const path = resolve(io.cwd, out);
  return /\.md$/i.test(out) ? path : join(path, PAGE);
}

async function run(io: CliIO, options: Options<typeof optionRules>): Promise<number> {
  const specPath = findSpec(io.cwd, options.spec);
  const { renderCatalog } = await import("../../docs/catalog.js");
  const page = renderCatalog(await specIR(io, readSpecText(specPath), displayPath(io.cwd, specPath)));
  const path = target(io, specPath, options.out);
  if (path === undefined) {
    io.stdout(page);
    return 0;
  }
  // The default page is inside the project: no folder on the way there may be a link either.
  writeOutputFile(io, path, page, options.out === undefined ? dirname(specPath) : undefined);
  return 0;
}

export function docsCommand(context: CliContext): Command {
  return new Command("docs")
    .description("write the event catalog: events, versions, consumers and a flowchart, in Markdown with Mermaid")
    .option(...SPEC_OPTION)
    .option(
      "--out <dir|file.md|->",
      "where the page goes: a folder (for events.md), a .md file, or - for stdout (default: docs/events.md next to the spec)",
    )
    .addHelpText(
      "after",
      `
The page lists every event (description, key, topic, the fields of each version, breaking changes
between versions), every named type and every consumer (events, filter, retry policy, dead letter,
idempotency and the broker names it uses), with a Mermaid flowchart from producers to consumers.
It has no dates, so it only changes when the spec does: commit it and review it like code.

Examples:
  $ evgen docs                          writes docs/events.md next to evgen.yaml
  $ evgen docs --out site/catalog       writes site/catalog/events.md
  $ evgen docs --out - | less`,
    )
    .action(async (raw: unknown) => {
      context.exitCode = await run(context.io, parseOptions(optionRules, raw));
    });
}
