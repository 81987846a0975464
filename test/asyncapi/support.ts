import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildIR } from "../../src/ir/build.js";
import type { IR } from "../../src/ir/types.js";
import { validateSpec } from "../../src/validate/index.js";
import { REPO_ROOT } from "../support/project.js";

export const EXAMPLES = ["notifications", "orders", "user-analytics"];

export function irOf(text: string): IR {
  const result = validateSpec(text, "evgen.yaml");
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join("\n"));
  return buildIR(result.spec);
}

export const exampleText = (name: string) => readFileSync(join(REPO_ROOT, "examples", name, "evgen.yaml"), "utf8");
export const fixtureText = (name: string) => readFileSync(join(REPO_ROOT, "test", "fixtures", "specs", name), "utf8");

/** all-features.yaml made valid for RabbitMQ: no topics, no retry modes. */
export function asRabbit(text: string): string {
  return text
    .replace("broker: kafka", "broker: rabbitmq")
    .replace(/^ {4}topic: .*\n/gm, "")
    .replace(/, mode: [a-z-]+ \}/g, " }");
}
