// Descriptions reach generated code only inside comments. The IR's `doc` text is already escaped
// so it cannot end a block comment; this only lays it out.

/** A JSDoc block for `doc` followed by a newline, or "" when there is none. */
export function jsDoc(doc: string | undefined): string {
  const text = doc?.replace(/\r\n?/g, "\n").trim();
  if (!text) return "";
  const lines = text.split("\n");
  if (lines.length === 1) return `/** ${text} */\n`;
  return `/**\n${lines.map((line) => ` * ${line}`.trimEnd()).join("\n")}\n */\n`;
}
