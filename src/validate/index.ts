// validateSpec: spec text -> a valid Spec (with warnings) or every problem at once.
import { loadYaml } from "../load/yaml.js";
import { runChecks } from "./checks/index.js";
import { sortIssues, type Issue } from "../spec/issue.js";
import { partsOf, salvage } from "./spec-parts.js";
import { specSchema, type Spec } from "../spec/schema/spec.js";
import { fromZodIssues } from "./zod-issues.js";

export type ValidationResult = { ok: true; spec: Spec; warnings: Issue[] } | { ok: false; issues: Issue[] };

export function validateSpec(text: string, file: string): ValidationResult {
  const loaded = loadYaml(text, file);
  if (!loaded.ok) return { ok: false, issues: sortIssues(loaded.issues) };
  const { value, locator } = loaded;

  if (value === null || value === undefined) {
    const issue: Issue = { severity: "error", file, line: 1, col: 1, path: "", message: "the spec is empty" };
    return { ok: false, issues: [{ ...issue, hint: "start with: evgen: 1, service, broker and events" }] };
  }

  const parsed = specSchema.safeParse(value, { reportInput: true });
  const issues = [
    ...loaded.warnings,
    ...(parsed.success ? [] : fromZodIssues(parsed.error.issues, { file, locator, root: specSchema })),
  ];
  runChecks(parsed.success ? partsOf(parsed.data) : salvage(value), file, locator, issues);

  // A broken field object can be reported both as "unknown keys" and by its own check.
  const sorted = sortIssues([...new Map(issues.map((i) => [`${i.line}:${i.col}:${i.message}`, i])).values()]);
  if (!parsed.success || sorted.some((i) => i.severity === "error")) return { ok: false, issues: sorted };
  return { ok: true, spec: parsed.data, warnings: sorted };
}
