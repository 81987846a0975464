// evgen validate: every problem of the spec at once, as text or JSON.
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { displayPath, errorCount, printIssues } from "../generation.js";
import { httpExposure, httpExposureLine } from "../http-exposure.js";
import type { CliIO } from "../io.js";
import { oneOf, or, parseOptions, text, type Options } from "../options.js";
import { printableJson } from "../printable.js";
import { findSpec, SPEC_OPTION, readSpecText } from "../spec-file.js";
import { plural, styleFor } from "../style.js";

const optionRules = {
  spec: text(),
  format: or(oneOf(["text", "json"]), "text"),
};

async function run(io: CliIO, options: Options<typeof optionRules>): Promise<number> {
  const specPath = findSpec(io.cwd, options.spec);
  const { validateSpec } = await import("../../validate/index.js");
  const file = displayPath(io.cwd, specPath);
  const result = validateSpec(readSpecText(specPath), file);
  const issues = result.ok ? result.warnings : result.issues;
  const { buildIR } = await import("../../ir/build.js");
  const http = result.ok ? httpExposure(buildIR(result.spec)) : undefined;
  if (options.format === "json") {
    io.stdout(
      `${printableJson(JSON.stringify({ file, valid: result.ok, issues, ...(http ? { http } : {}) }, null, 2))}\n`,
    );
  } else {
    printIssues(io, issues);
    const { dim, green, red } = styleFor(io);
    io.stderr(
      http
        ? `${green("valid")} ${file}\n${dim(httpExposureLine(http))}\n`
        : `${red("invalid")} ${file}: ${plural(errorCount(issues), "error")}\n`,
    );
  }
  return result.ok ? 0 : 1;
}

export function validateCommand(context: CliContext): Command {
  return new Command("validate")
    .description("check the spec: every error and warning at once, as file:line:col  key.path: message")
    .option(...SPEC_OPTION)
    .option("--format <format>", "text or json (json goes to stdout)", "text")
    .addHelpText(
      "after",
      `
Examples:
  $ evgen validate
  $ evgen validate --spec services/shop/evgen.yaml --format json | jq '.issues[].message'`,
    )
    .action(async (raw: unknown) => {
      context.exitCode = await run(context.io, parseOptions(optionRules, raw));
    });
}
