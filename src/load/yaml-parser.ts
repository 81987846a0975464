// The full YAML parser, loaded on first use: most specs are plain block YAML that plain-yaml.ts
// reads alone, and loading the parser's modules is a noticeable part of a short run.
import { createRequire } from "node:module";

type Yaml = typeof import("yaml");

const require = createRequire(import.meta.url);
let parser: Yaml | undefined;

export function yamlParser(): Yaml {
  return (parser ??= require("yaml") as Yaml);
}
