// A fast path for the YAML most specs are written in: block mappings and lists of plain names,
// numbers, booleans, simple quoted strings and one-line lists (`[a, b]`), with comments. It reads
// a line at a time, about twenty times faster than the full parser and with a fraction of its
// garbage, and records each key's and value's line:col for issues. Anything else (anchors, tags,
// block or multi-line scalars, escapes, flow mappings, tabs, duplicate keys, odd indentation...)
// returns undefined and the full parser (src/load/yaml.ts) reads the spec: it alone reports
// errors, so this path only has to be exact for what it accepts (test/load/plain-yaml.test.ts
// compares both on every spec in the repo).
import type { Position, SpecPath } from "../spec/issue.js";
import type { Locator } from "./locate.js";

/** Where a value is: its own start, or its key's for an empty value; the entries of a collection. */
interface Placed {
  at: Position;
  /** Keys of a mapping with their positions and values' places. */
  keys?: Map<string, { key: Position; value: Placed }>;
  items?: Placed[];
}

interface Line {
  /** 1-based line number. */
  line: number;
  /** Column where `text` starts, 0-based (the indentation, or more inside `- ` items). */
  indent: number;
  text: string;
}

class Unsupported extends Error {}

const unsupported = (): never => {
  throw new Unsupported();
};

const KEY = /^([A-Za-z_][\w.?/-]*|0|[1-9][0-9]{0,14}):(?: +|$)/;
const NOT_PLAIN_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|__proto__)$/;
// The core schema's own tests (yaml's schema/core), in its order.
const INT = /^[-+]?[0-9]+$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** A plain scalar as YAML 1.2's core schema reads it (yaml's default); throws for what this path leaves to the full parser. */
function plainScalar(text: string): string | number | boolean | null {
  if (INT.test(text)) return parseInt(text, 10);
  if (FLOAT_EXP.test(text) || FLOAT.test(text)) return parseFloat(text);
  if (text === "~" || text === "null" || text === "Null" || text === "NULL") return null;
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  // Indicators, other numbers (0x1f, .inf), and a `: ` or ` #` inside are the full parser's.
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) || OTHER_NUMBER.test(text) || /:( |$)| #/.test(text)) unsupported();
  return text;
}

/** Text after a value: nothing, or a comment. */
function restIsComment(rest: string): boolean {
  return /^ *(?:$| #)/.test(rest);
}

export interface PlainYaml {
  value: unknown;
  locator: Locator;
}

export function readPlainYaml(text: string, maxDepth: number): PlainYaml | undefined {
  // Tabs, other line breaks, control characters and escapes are the full parser's.
  if (/[\\\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\uFEFF]/.test(text)) return undefined;
  const lines: Line[] = [];
  const rows = text.split("\n");
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    let indent = 0;
    while (row.charCodeAt(indent) === 32) indent++;
    if (indent === row.length || row[indent] === "#") continue;
    if (indent === 0 && /^(?:---|\.\.\.|%)/.test(row)) return undefined;
    if (row.endsWith(" ")) return undefined;
    lines.push({ line: index + 1, indent, text: row.slice(indent) });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  try {
    const reader = new Reader(lines, maxDepth);
    const root = reader.block(0, 1);
    if (reader.next < lines.length) return undefined;
    return { value: root.value, locator: locatorOf(root.placed) };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

interface Read {
  value: unknown;
  placed: Placed;
}

class Reader {
  next = 0;

  constructor(
    private readonly lines: Line[],
    private readonly maxDepth: number,
  ) {}

  /** The mapping or list whose entries start at the next line, at column `indent`. */
  block(indent: number, depth: number): Read {
    if (depth >= this.maxDepth) unsupported();
    const first = this.lines[this.next]!;
    if (first.indent !== indent) unsupported();
    return isItem(first.text) ? this.list(indent, depth) : this.mapping(indent, depth);
  }

  private mapping(indent: number, depth: number): Read {
    const value: Record<string, unknown> = {};
    const keys = new Map<string, { key: Position; value: Placed }>();
    const start = this.lines[this.next]!;
    while (this.next < this.lines.length) {
      const line = this.lines[this.next]!;
      if (line.indent < indent) break;
      if (line.indent > indent || isItem(line.text)) unsupported();
      const match = KEY.exec(line.text);
      if (!match || NOT_PLAIN_KEY.test(match[1]!)) unsupported();
      const name = match![1]!;
      if (keys.has(name)) unsupported();
      const key = { line: line.line, col: line.indent + 1 };
      this.next++;
      const rest = line.text.slice(match![0].length);
      let entry: Read;
      if (rest === "" || rest.startsWith("#")) {
        const following = this.lines[this.next];
        if (following && following.indent > indent) entry = this.block(following.indent, depth + 1);
        // `key:` then `- item` lines at the key's own column: a list.
        else if (following && following.indent === indent && isItem(following.text)) {
          entry = this.list(indent, depth + 1);
        } else entry = { value: null, placed: { at: key } };
      } else {
        entry = inline(rest, { line: line.line, col: line.indent + match![0].length + 1 });
      }
      value[name] = entry.value;
      keys.set(name, { key, value: entry.placed });
    }
    return { value, placed: { at: { line: start.line, col: start.indent + 1 }, keys } };
  }

  private list(indent: number, depth: number): Read {
    const value: unknown[] = [];
    const items: Placed[] = [];
    const first = this.lines[this.next]!;
    // Taken now: an item holding a mapping moves its line's column on to the mapping's.
    const at = { line: first.line, col: first.indent + 1 };
    while (this.next < this.lines.length) {
      const line = this.lines[this.next]!;
      if (line.indent < indent || (line.indent === indent && !isItem(line.text))) break;
      if (line.indent > indent) unsupported();
      let spaces = 1;
      while (line.text.charCodeAt(spaces) === 32) spaces++;
      if (spaces === line.text.length || line.text[spaces] === "#") unsupported();
      const rest = line.text.slice(spaces);
      let entry: Read;
      if (isItem(rest) || KEY.test(rest)) {
        // `- key: value` or `- - item`: a collection starting on the item's own line.
        line.indent += spaces;
        line.text = rest;
        entry = this.block(line.indent, depth + 1);
      } else {
        this.next++;
        entry = inline(rest, { line: line.line, col: line.indent + spaces + 1 });
      }
      value.push(entry.value);
      items.push(entry.placed);
    }
    return { value, placed: { at, items } };
  }
}

function isItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** A value on the rest of its line: a scalar, or a one-line list of scalars. */
function inline(text: string, at: Position): Read {
  if (text.startsWith("[")) return flowList(text, at);
  if (text === "{}" || text.startsWith("{} #")) return { value: {}, placed: { at, keys: new Map() } };
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    if (end === -1 || !restIsComment(text.slice(end + 1))) unsupported();
    return { value: text.slice(1, end), placed: { at } };
  }
  const comment = text.indexOf(" #");
  return { value: plainScalar(comment === -1 ? text : text.slice(0, comment).trimEnd()), placed: { at } };
}

function flowList(text: string, at: Position): Read {
  const end = text.indexOf("]");
  if (end === -1 || !restIsComment(text.slice(end + 1))) unsupported();
  const inner = text.slice(1, end);
  if (/[[\]{}"'#:]/.test(inner)) unsupported();
  const value: unknown[] = [];
  const items: Placed[] = [];
  if (inner.trim() !== "") {
    let offset = 1;
    for (const part of inner.split(",")) {
      const item = part.trim();
      if (item === "") unsupported();
      value.push(plainScalar(item));
      items.push({ at: { line: at.line, col: at.col + offset + part.indexOf(item) } });
      offset += part.length + 1;
    }
  }
  return { value, placed: { at, items } };
}

/** The same answers as src/load/locate.ts gives from the full parser's document. */
function locatorOf(root: Placed): Locator {
  const start = { line: 1, col: 1 };
  const find = (path: SpecPath): { node: Placed | undefined; anchor: Position | undefined } => {
    let node: Placed | undefined = root;
    let anchor: Position | undefined;
    for (const segment of path) {
      const entry: { key: Position; value: Placed } | undefined = node?.keys?.get(String(segment));
      if (entry) {
        anchor = entry.key;
        node = entry.value;
      } else if (typeof segment === "number" && node?.items?.[segment]) {
        node = node.items[segment];
        anchor = node!.at;
      } else {
        return { node: undefined, anchor };
      }
    }
    return { node, anchor };
  };
  return {
    key: (path) => find(path).anchor ?? start,
    value: (path) => {
      const { node, anchor } = find(path);
      return node?.at ?? anchor ?? start;
    },
  };
}
