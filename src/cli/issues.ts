// How spec issues read on a terminal or in a CI log.
import type { Issue } from "../spec/issue.js";
import { styleFor } from "./style.js";

/**
 * `file:line:col  key.path: message` per issue (warnings marked), with an indented hint line where
 * there is one: each line names the key it is about, so a CI log reads without the spec at hand.
 */
export function formatIssues(issues: readonly Issue[], options: { color: boolean }): string {
  const { red, yellow, dim } = styleFor(options);
  return issues
    .map((issue) => {
      const where = `${issue.file}:${issue.line}:${issue.col}`;
      const message = issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
      const head = issue.severity === "warning" ? `${yellow(where)}  warning: ${message}` : `${red(where)}  ${message}`;
      return issue.hint ? `${head}\n    ${dim(`hint: ${issue.hint}`)}` : head;
    })
    .join("\n");
}
