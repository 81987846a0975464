// Descriptions reach generated code only inside comments. The IR's `doc` text is already escaped
// so it cannot end a block comment; this only lays it out.
import { indent } from "./layout.js";

/** A JSDoc block for `doc` followed by a newline and `depth` indentation, or "" when there is none. */
export function jsDoc(doc: string | undefined, depth = 0): string {
  const text = doc?.replace(/\r\n?/g, "\n").trim();
  if (!text) return "";
  const pad = indent(depth);
  const lines = text.split("\n");
  if (lines.length === 1) return `/** ${text} */\n${pad}`;
  return `/**\n${lines.map((line) => `${pad} * ${line}`.trimEnd()).join("\n")}\n${pad} */\n${pad}`;
}
