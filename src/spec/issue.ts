// One problem found in a spec. Every stage reports problems in this shape so the CLI can print
// them all at once, sorted by where they are in the file.

export type Severity = "error" | "warning";

/** A path into the spec as written, e.g. ["consumers", "mailer", "retry", "delay"]. */
export type SpecPath = ReadonlyArray<string | number>;

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

export interface Issue {
  severity: Severity;
  file: string;
  line: number;
  col: number;
  /** Dot-joined spec path ("" for the whole file). */
  path: string;
  message: string;
  hint?: string;
}

export function joinPath(path: SpecPath): string {
  return path.map(String).join(".");
}

/** By position, then errors before warnings, then by message, so output is the same everywhere. */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...issues].sort(
    (a, b) =>
      text(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      text(a.message, b.message),
  );
}
