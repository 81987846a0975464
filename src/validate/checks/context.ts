import type { Locator } from "../../load/locate.js";
import { joinPath, type Issue, type Severity, type SpecPath } from "../../spec/issue.js";
import type { SpecParts } from "../spec-parts.js";

export interface ReportOptions {
  hint?: string | undefined;
  /** Point at the key rather than the value (names, unknown or misplaced keys). */
  at?: "key" | "value";
}

export interface CheckContext {
  parts: SpecParts;
  error(path: SpecPath, message: string, options?: ReportOptions): void;
  warn(path: SpecPath, message: string, options?: ReportOptions): void;
}

export type Check = (ctx: CheckContext) => void;

export function createContext(parts: SpecParts, file: string, locator: Locator, issues: Issue[]): CheckContext {
  const report =
    (severity: Severity) =>
    (path: SpecPath, message: string, options: ReportOptions = {}) => {
      issues.push({
        severity,
        file,
        ...locator[options.at ?? "value"](path),
        path: joinPath(path),
        message,
        ...(options.hint ? { hint: options.hint } : {}),
      });
    };
  return { parts, error: report("error"), warn: report("warning") };
}
