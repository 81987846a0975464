import type { Issue } from "../../src/spec/issue.js";
import { validateSpec } from "../../src/validate/index.js";

/** Template tag: strips the common indentation so specs can be written inline in tests. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, "");
  const indent = Math.min(
    ...text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => l.length - l.trimStart().length),
  );
  return text
    .split("\n")
    .map((l) => l.slice(indent))
    .join("\n");
}

/** All issues of a spec, errors and warnings alike. */
export function issuesOf(text: string): Issue[] {
  const result = validateSpec(text, "evgen.yaml");
  return result.ok ? result.warnings : result.issues;
}

/** `line:col message` per issue: what a user reads, minus the file name. */
export function brief(issues: Issue[]): string[] {
  return issues.map((i) => `${i.line}:${i.col} ${i.message}`);
}
