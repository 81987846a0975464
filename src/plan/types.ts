// What the plan stage hands to render: every file of the generated project, who owns it, and
// how its text is produced.

/**
 * - "evgen": rewritten on every generate (src/generated/**); hand edits are refused.
 * - "user": scaffolded by evgen and kept in step with the spec while it is still byte for byte what
 *   evgen wrote; once edited, the user's: never written again, and never deleted.
 * - "merge": evgen keeps its own keys up to date and leaves every other key alone (package.json).
 */
export type Owner = "evgen" | "user" | "merge";

/** Which view a template is rendered with: the project's, or one consumer's. */
export type TemplateSource =
  | { kind: "template"; template: string }
  | { kind: "consumer-template"; template: string; consumer: string }
  /** A runtime module copied verbatim under a generated-file header. */
  | { kind: "runtime"; file: string }
  | { kind: "package-json" };

export interface PlannedFile {
  /** Project-relative, forward slashes. */
  path: string;
  owner: Owner;
  source: TemplateSource;
}

/** A file after render and format: its final text. */
export interface OutputFile {
  path: string;
  owner: Owner;
  content: string;
  /** sha256 of the text before formatting: the key of the format cache in the manifest. */
  sourceHash: string;
}

/** A user's file left as it is on disk, with the hash of what evgen would write there now. */
export interface KeptFile {
  path: string;
  /** sha256 of the rendered text before formatting (compared with the manifest's `source`). */
  sourceHash: string;
}
