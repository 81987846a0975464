// Generated code is printed in the layout prettier would give it (printWidth 100, two spaces), so
// generate need not run prettier on it. The printers know a few shapes exactly; anything else they
// print is still valid code, and they mark it so that its file goes through prettier instead.
// test/generate/canonical-format.test.ts proves the exact shapes against prettier itself.

/** prettier's printWidth for generated TypeScript (src/format/format.ts). */
export const PRINT_WIDTH = 100;

/** Whether everything printed so far is known to be in prettier's layout. */
export interface Layout {
  canonical: boolean;
}

export function indent(depth: number): string {
  return "  ".repeat(depth);
}

/**
 * A string as prettier prints it: double quotes, or single quotes when the text holds more double
 * than single quotes. Only the plain case is exact; the others are marked.
 */
export function stringLiteral(text: string, layout: Layout): string {
  if (/["']/.test(text)) layout.canonical = false;
  return JSON.stringify(text);
}

/** A number as prettier prints it: exact for plain decimals, marked for exponents. */
export function numberLiteral(value: number, layout: Layout): string {
  const text = JSON.stringify(value);
  if (!/^-?\d+(\.\d+)?$/.test(text)) layout.canonical = false;
  return text;
}

/** A JSON scalar (string, number, boolean, null) as a literal. */
export function scalarLiteral(value: string | number | boolean | null, layout: Layout): string {
  if (typeof value === "string") return stringLiteral(value, layout);
  if (typeof value === "number") return numberLiteral(value, layout);
  return JSON.stringify(value);
}

/** Whether every line of code in `text` fits prettier's print width (it leaves comments as they are). */
export function fitsWidth(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end - start > PRINT_WIDTH && !/^\s*(\/\/|\/\*|\*)/.test(text.slice(start, end))) return false;
    start = end + 1;
  }
  return true;
}

/**
 * The keys of one object as prettier prints them (quoteProps "as-needed"): each bare when it is an
 * identifier, else quoted. Keys that look like numbers are left to prettier.
 */
export function objectKeys(keys: string[], layout: Layout): Map<string, string> {
  if (keys.some((key) => /^\d/.test(key))) layout.canonical = false;
  return new Map(keys.map((key) => [key, /^[A-Za-z_$][\w$]*$/.test(key) ? key : stringLiteral(key, layout)]));
}

/**
 * A JSON value as a JavaScript literal in prettier's layout, starting after `column` characters
 * of its line at indentation `depth`: objects expanded (prettier keeps an object expanded when its
 * first key is on a new line), arrays on one line when they fit, else one element a line.
 */
export function jsLiteral(value: unknown, depth: number, column: number, layout: Layout): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) {
      return scalarLiteral(value, layout);
    }
    throw new Error(`not a JSON value: ${String(value)}`);
  }
  const inner = indent(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => item === null || typeof item !== "object")) {
      const items = value.map((item) => jsLiteral(item, depth + 1, 0, layout));
      const oneLine = `[${items.join(", ")}]`;
      // +1: the comma after the value.
      if (column + oneLine.length + 1 <= PRINT_WIDTH) return oneLine;
      // prettier fills lines with numbers; strings go one a line.
      if (value.some((item) => typeof item === "number")) layout.canonical = false;
      return `[\n${items.map((item) => `${inner}${item},`).join("\n")}\n${indent(depth)}]`;
    }
    if (value.some((item) => Array.isArray(item))) layout.canonical = false;
    const items = value.map((item) => `${inner}${jsLiteral(item, depth + 1, inner.length, layout)},`);
    return `[\n${items.join("\n")}\n${indent(depth)}]`;
  }
  const record = value as Record<string, unknown>;
  // Like JSON.stringify, a key whose value is undefined is left out.
  const keys = objectKeys(
    Object.keys(record).filter((key) => record[key] !== undefined),
    layout,
  );
  if (keys.size === 0) return "{}";
  const lines = [...keys].map(([key, printed]) => {
    const start = `${inner}${printed}: `;
    return `${start}${jsLiteral(record[key], depth + 1, start.length, layout)},`;
  });
  return `{\n${lines.join("\n")}\n${indent(depth)}}`;
}

/**
 * A JSON value as prettier prints a literal written on one line, starting after `column`
 * characters at indentation `depth`: on one line when it fits, else broken one level at a time.
 * Arrays that would break are left to prettier (it fills or hugs them by rules not copied here).
 */
export function jsInline(value: unknown, depth: number, column: number, suffix: number, layout: Layout): string {
  const oneLine = inlineText(value, layout);
  if (column + oneLine.length + suffix <= PRINT_WIDTH) return oneLine;
  if (value === null || typeof value !== "object") return oneLine;
  if (Array.isArray(value)) {
    layout.canonical = false;
    return oneLine;
  }
  const record = value as Record<string, unknown>;
  const inner = indent(depth + 1);
  const keys = objectKeys(
    Object.keys(record).filter((key) => record[key] !== undefined),
    layout,
  );
  const lines = [...keys].map(([key, printed]) => {
    const start = `${inner}${printed}: `;
    return `${start}${jsInline(record[key], depth + 1, start.length, 1, layout)},`;
  });
  return `{\n${lines.join("\n")}\n${indent(depth)}}`;
}

function inlineText(value: unknown, layout: Layout): string {
  if (value === null || typeof value !== "object") return jsLiteral(value, 0, 0, layout);
  if (Array.isArray(value)) {
    // prettier breaks an array of several objects (or arrays) with more than one entry each.
    const entries = (item: unknown) => (item !== null && typeof item === "object" ? Object.keys(item).length : 0);
    if (value.length > 1 && value.every((item) => entries(item) > 1)) layout.canonical = false;
    return `[${value.map((item) => inlineText(item, layout)).join(", ")}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = objectKeys(
    Object.keys(record).filter((key) => record[key] !== undefined),
    layout,
  );
  if (keys.size === 0) return "{}";
  return `{ ${[...keys].map(([key, printed]) => `${printed}: ${inlineText(record[key], layout)}`).join(", ")} }`;
}

/**
 * A Markdown table as prettier aligns it (proseWrap "preserve"): every column as wide as its
 * widest cell. Cells are expected to be plain text; anything prettier might re-escape, and
 * characters whose display width is not one column, leave the file to prettier.
 */
export function markdownTable(header: string[], rows: string[][], layout: Layout): string {
  // Letters, digits, punctuation prettier leaves alone, code spans, and the en dash evgen writes.
  const plain = /^[A-Za-z0-9 .,:;()'"/?!%=@$&+\-`–]*$/;
  for (const cell of [...header, ...rows.flat()]) {
    if (!plain.test(cell) || (cell.match(/`/g)?.length ?? 0) % 2 !== 0) layout.canonical = false;
  }
  const widths = header.map((cell, column) =>
    Math.max(3, cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
