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

/** Whether every line of `text` fits prettier's print width. */
export function fitsWidth(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end - start > PRINT_WIDTH) return false;
    start = end + 1;
  }
  return true;
}

/**
 * The keys of one object as prettier prints them (quoteProps "as-needed"): bare when every key is
 * an identifier, else all quoted (prettier unquotes none while one needs quotes).
 */
export function objectKeys(keys: string[], layout: Layout): Map<string, string> {
  const identifier = (key: string) => /^[A-Za-z_$][\w$]*$/.test(key);
  if (keys.some((key) => /^\d/.test(key))) layout.canonical = false;
  const quoteAll = !keys.every(identifier);
  return new Map(keys.map((key) => [key, quoteAll ? stringLiteral(key, layout) : key]));
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
