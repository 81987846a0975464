// The fast path for plain block YAML (src/load/plain-yaml.ts) must read exactly what the full
// parser reads, value and line:col, whenever it reads a document at all.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { createLocator } from "../../src/load/locate.js";
import { MAX_YAML_DEPTH } from "../../src/load/limits.js";
import { readPlainYaml } from "../../src/load/plain-yaml.js";
import type { SpecPath } from "../../src/spec/issue.js";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every path to a value, and beside each a missing key and a missing index. */
function paths(value: unknown, path: SpecPath = []): SpecPath[] {
  const here = [path, [...path, "missing"], [...path, 99]];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => paths(item, [...path, index]))];
  if (value !== null && typeof value === "object") {
    return [...here, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...path, key]))];
  }
  return here;
}

/** Whether the fast path read `text`; when it did, it read it as the full parser does. */
function agrees(text: string): boolean {
  const plain = readPlainYaml(text, MAX_YAML_DEPTH);
  if (!plain) return false;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  expect(doc.errors).toEqual([]);
  expect(doc.warnings).toEqual([]);
  expect(plain.value).toEqual(doc.toJS());
  const full = createLocator(doc, lineCounter);
  for (const path of paths(plain.value)) {
    expect(plain.locator.key(path), `key ${JSON.stringify(path)}`).toEqual(full.key(path));
    expect(plain.locator.value(path), `value ${JSON.stringify(path)}`).toEqual(full.value(path));
  }
  return true;
}

const READ = [
  "a: 1\nb: two words\nc: 'single'\nd: \"double # not a comment\"\n",
  "# head\nmap:\n  # inside\n  k: v # trailing\n\n  n: ~\n  empty:\n  e2: # only a comment\nnext: 1\n",
  "list:\n- a\n- b\nafter: 1\n",
  "list:\n  - a\n  -   spaced\n  - k: v\n    k2: [x, 2, true]\n  - - nested\n    - 2\n",
  "numbers: [1, -2, +3, 0.5, .5, 1., 1e3, -1.5E-2, 007, 1s, 1.2.3, +x]\n",
  "nulls: [null, Null, NULL, ~]\nbools: [true, True, TRUE, false, False, FALSE, yes, on, no]\n",
  "empty: []\nobj: {}\nurl: http://localhost:9092\ncolon: a:b\nhash: a#b\n",
  "1: one\n10: ten\nkey?: q\nkebab-case: k\nsnake_case: s\ndotted.name: d\npath/like: p\n",
  "unicode: café ✓ 日本\nsymbols: $x =y (z) <w> ~t\n",
  "- evgen: 1\n  x: [a]\n- - b\n",
  "deep:\n  a:\n    b:\n      c:\n        - x\n        - y:\n            z: 1\n",
];

const LEFT_TO_THE_FULL_PARSER = [
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  "a: |\n  block\n",
  "a: plain\n  continued\n",
  'a: "esc\\n"\n',
  "a: {b: 1}\n",
  "a: 0x1f\n",
  "a: .inf\n",
  "a: 1\na: 2\n",
  '"quoted": 1\n',
  "a:\tb\n",
  "---\na: 1\n",
  "a:\n    b: 1\n  c: 2\n",
  "a: b: c\n",
  "a: 'it''s'\n",
  "a: [b, [c]]\n",
  "__proto__: 1\n",
  "true: 1\n",
  "- a\n- b\n".replace(/^/, "x: 1\n"),
  "a: 1 \n",
  "",
  "just a scalar\n",
  "a: -x\n",
];

describe("plain YAML fast path", () => {
  it.each(READ)("reads %j as the full parser does", (text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each(LEFT_TO_THE_FULL_PARSER)("leaves %j to the full parser", (text) => {
    expect(readPlainYaml(text, MAX_YAML_DEPTH)).toBeUndefined();
  });

  it("agrees with the full parser on every YAML file of the repo", () => {
    const files = [...yamlFiles("examples"), ...yamlFiles("test/fixtures")];
    const read = files.filter((file) => agrees(readFileSync(file, "utf8")));
    expect(read.length).toBeGreaterThan(0);
  });

  it("leaves nesting past the limit to the full parser, which reports it", () => {
    const text = Array.from({ length: 5 }, (_, depth) => `${"  ".repeat(depth)}k${depth}:`).join("\n") + " 1\n";
    expect(readPlainYaml(text, 10)).toBeDefined();
    expect(readPlainYaml(text, 4)).toBeUndefined();
  });
});
