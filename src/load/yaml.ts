// Parses evgen.yaml keeping source positions. YAML syntax errors, duplicate keys and keys that are
// not plain scalars become issues with line:col; the content is only handed on when there are none.
import type { Node, YAMLError } from "yaml";
import type { Issue, Severity } from "../spec/issue.js";
import { MAX_ALIAS_COUNT, MAX_SPEC_BYTES, MAX_SPEC_SIZE_TEXT, MAX_YAML_DEPTH } from "./limits.js";
import { createLocator, type Locator } from "./locate.js";
import { readPlainYaml } from "./plain-yaml.js";
import { yamlParser } from "./yaml-parser.js";

export type LoadResult =
  { ok: true; value: unknown; locator: Locator; warnings: Issue[] } | { ok: false; issues: Issue[] };

export function loadYaml(text: string, file: string): LoadResult {
  // Measured before parsing: the parsed document takes about a hundred times the text's size.
  if (text.length > MAX_SPEC_BYTES || Buffer.byteLength(text) > MAX_SPEC_BYTES) {
    const message = `the spec is ${Buffer.byteLength(text)} bytes; evgen reads specs up to ${MAX_SPEC_SIZE_TEXT}`;
    return { ok: false, issues: [{ severity: "error", file, line: 1, col: 1, path: "", message }] };
  }
  // Most specs are plain block YAML, read without the full parser (its parse is most of a large spec's time).
  const plain = readPlainYaml(text, MAX_YAML_DEPTH);
  if (plain) return { ok: true, ...plain, warnings: [] };
  const { LineCounter, isScalar, parseDocument, visit } = yamlParser();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const toIssue = (severity: Severity, error: YAMLError): Issue => {
    const position = lineCounter.linePos(error.pos[0]);
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
  const errors = doc.errors.slice(0, 1).map((e) => toIssue("error", e));
  const warnings = doc.warnings.map((e) => toIssue("warning", e));

  const keyError = (key: unknown, message: string) => {
    const offset = (key as { range?: [number] } | null)?.range?.[0] ?? 0;
    errors.push({ severity: "error", file, ...lineCounter.linePos(offset), path: "", message });
  };
  visit(doc, {
    Map(_, map) {
      // Duplicates are found here rather than by yaml's uniqueKeys, which compares every key with
      // every other (slow on a mapping of a thousand events); here `1:` and `"1":` are the same
      // key too, as they are once loaded.
      const seen = new Set<string>();
      for (const { key } of map.items) {
        if (!isScalar(key)) {
          keyError(key, "a key must be a plain name, not a list, a mapping or empty");
        } else if (key.value === "__proto__") {
          keyError(key, "'__proto__' cannot be used as a key");
        } else {
          const name = String(key.value);
          if (seen.has(name)) keyError(key, `duplicate key '${name}': a key may appear only once in a mapping`);
          seen.add(name);
        }
      }
    },
  });
  if (errors.length > 0) return { ok: false, issues: [...errors, ...warnings] };
  const tooDeep = deeperThan(doc.contents as Node | null, MAX_YAML_DEPTH);
  if (tooDeep) {
    const message = `mappings and lists are nested more than ${MAX_YAML_DEPTH} levels deep here; evgen reads at most ${MAX_YAML_DEPTH}`;
    const position = lineCounter.linePos(tooDeep.range?.[0] ?? 0);
    return { ok: false, issues: [{ severity: "error", file, ...position, path: "", message }, ...warnings] };
  }

  try {
    return {
      ok: true,
      value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }),
      locator: createLocator(doc, lineCounter),
      warnings,
    };
  } catch (error) {
    // Only alias abuse (too many or unresolved aliases) gets here; the document itself parsed.
    return {
      ok: false,
      issues: [{ severity: "error", file, line: 1, col: 1, path: "", message: `YAML: ${(error as Error).message}` }],
    };
  }
}

/** The first collection nested deeper than `limit`, found without recursion (so without a stack to exhaust). */
function deeperThan(root: Node | null, limit: number): Node | undefined {
  const { isCollection, isPair } = yamlParser();
  const stack: Array<{ node: Node; depth: number }> = root ? [{ node: root, depth: 1 }] : [];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > limit) return node;
    for (const item of node.items as unknown[]) {
      const children = isPair(item) ? [item.key, item.value] : [item];
      for (const child of children) if (isCollection(child)) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return undefined;
}
