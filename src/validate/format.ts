import type { Issue } from "./issue.js";

const ansi = (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const plain = (text: string) => text;

/**
 * `file:line:col  key.path: message` per issue (warnings marked), with an indented hint line where
 * there is one: each line names the key it is about, so a CI log reads without the spec at hand.
 */
export function formatIssues(issues: readonly Issue[], options: { color: boolean }): string {
  const red = options.color ? ansi(31) : plain;
  const yellow = options.color ? ansi(33) : plain;
  const dim = options.color ? ansi(2) : plain;
  return issues
    .map((issue) => {
      const where = `${issue.file}:${issue.line}:${issue.col}`;
      const message = issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
      const head =
        issue.severity === "warning" ? `${yellow(where)}  warning: ${message}` : `${red(where)}  ${message}`;
      return issue.hint ? `${head}\n    ${dim(`hint: ${issue.hint}`)}` : head;
    })
    .join("\n");
}
