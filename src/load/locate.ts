// Maps a spec path (["consumers", "mailer", "retry"]) to the line:col of its key or value in the
// YAML source, so every issue can point at the exact place to fix.
import type { Document, LineCounter, Node } from "yaml";
import type { Position, SpecPath } from "../spec/issue.js";
import { yamlParser } from "./yaml-parser.js";

export interface Locator {
  /** The key at path (a list item itself); for a missing path, the key of its deepest existing parent. */
  key(path: SpecPath): Position;
  /** The value at path; for a missing or empty value, the same place as key(path). */
  value(path: SpecPath): Position;
}

interface Found {
  node: Node | null; // null when the path does not exist or has no value
  anchor: Node | null; // the key (or list item) of the deepest entry found
}

export function createLocator(doc: Document, lineCounter: LineCounter): Locator {
  const { isAlias, isMap, isScalar, isSeq } = yamlParser();
  const at = (node: Node | null): Position => {
    const offset = node?.range?.[0];
    return offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
  };

  const find = (path: SpecPath): Found => {
    let node: Node | null = (doc.contents as Node | null) ?? null;
    let anchor: Node | null = null;
    for (const segment of path) {
      if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return { node: null, anchor };
        anchor = pair.key as Node;
        node = (pair.value as Node | null) ?? null;
      } else if (isSeq(node) && typeof segment === "number" && node.items[segment]) {
        node = node.items[segment] as Node;
        anchor = node;
      } else {
        return { node: null, anchor };
      }
    }
    return { node, anchor };
  };

  return {
    key: (path) => at(find(path).anchor),
    value: (path) => {
      const { node, anchor } = find(path);
      // `key:` with nothing after it: point at the key, not at the end of the line.
      const empty = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
      return at(empty ? anchor : (node ?? anchor));
    },
  };
}
