// Parses evgen.yaml keeping source positions. YAML syntax errors, duplicate keys and keys that are
// not plain scalars become issues with line:col; the content is only handed on when there are none.
import { LineCounter, isScalar, parseDocument, visit, type YAMLError } from "yaml";
import type { Issue, Severity } from "../validate/issue.js";
import { createLocator, type Locator } from "./locate.js";

export type LoadResult =
  { ok: true; value: unknown; locator: Locator; warnings: Issue[] } | { ok: false; issues: Issue[] };

export function loadYaml(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toIssue = (severity: Severity, error: YAMLError): Issue => {
    const position = lineCounter.linePos(error.pos[0]);
    if (error.code === "DUPLICATE_KEY") {
      const message = `duplicate key '${keyAt(text, error.pos[0])}': a key may appear only once in a mapping`;
      return { severity, file, ...position, path: "", message };
    }
    const line = text.split("\n")[position.line - 1] ?? "";
    return {
      severity,
      file,
      ...position,
      path: "",
      message:
        error.code === "MULTIPLE_DOCS"
          ? "a spec is one YAML document: remove the '---' separator and what follows"
          : `YAML syntax error: ${error.message.replace(/\.$/, "")}`,
      // `items: LineItem[]` is fine on its own line, but inside { } the [ starts a list.
      ...(/\{.*\w\[\]/.test(line) ? { hint: 'inside { } quote list types: "LineItem[]"' } : {}),
    };
  };
  // After the first syntax error the parser's further complaints are mostly its consequences.
  const firstSyntaxError = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
  const errors = doc.errors
    .filter((e) => e.code === "DUPLICATE_KEY" || e === firstSyntaxError)
    .map((e) => toIssue("error", e));
  const warnings = doc.warnings.map((e) => toIssue("warning", e));

  const keyError = (key: unknown, message: string) => {
    const offset = (key as { range?: [number] } | null)?.range?.[0] ?? 0;
    errors.push({ severity: "error", file, ...lineCounter.linePos(offset), path: "", message });
  };
  visit(doc, {
    Map(_, map) {
      // `1:` and `"1":` differ in YAML but are the same key once loaded; YAML itself lets it pass.
      const seen = new Map<string, unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) {
          keyError(key, "a key must be a plain name, not a list, a mapping or empty");
        } else if (key.value === "__proto__") {
          keyError(key, "'__proto__' cannot be used as a key");
        } else {
          const name = String(key.value);
          if (seen.has(name) && seen.get(name) !== key.value) {
            keyError(key, `duplicate key '${name}': a key may appear only once in a mapping`);
          }
          seen.set(name, key.value);
        }
      }
    },
  });
  if (errors.length > 0) return { ok: false, issues: [...errors, ...warnings] };

  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }), locator: createLocator(doc, lineCounter), warnings };
  } catch (error) {
    // Only alias abuse (too many or unresolved aliases) gets here; the document itself parsed.
    return {
      ok: false,
      issues: [{ severity: "error", file, line: 1, col: 1, path: "", message: `YAML: ${(error as Error).message}` }],
    };
  }
}

/** The key written at offset, quoted or plain. */
function keyAt(text: string, offset: number): string {
  const match = /^("[^"]*"|'[^']*'|[^:\s,{}[\]]+)/.exec(text.slice(offset));
  return match?.[1]?.replace(/^["']|["']$/g, "") ?? "";
}
