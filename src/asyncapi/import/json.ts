// The AsyncAPI document as parsed JSON, and JSON pointers into it (RFC 6901).
export type Json = unknown;
export type Obj = Record<string, Json>;

export const isObj = (value: Json): value is Obj =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A node's binding of one protocol (`bindings.kafka`, `bindings.amqp`), when it is an object. */
export function bindingOf(node: Json, protocol: string): Obj | undefined {
  if (!isObj(node) || !isObj(node.bindings)) return undefined;
  const binding = node.bindings[protocol];
  return isObj(binding) ? binding : undefined;
}

/** `base` with the segments appended, each escaped (~ -> ~0, / -> ~1). */
export const pointer = (base: string, ...segments: Array<string | number>) =>
  [base, ...segments.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");

export const unescape = (segment: string) => decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");

/** Entries sorted by key, as the spec lists them. */
export const byKey = <T>(entries: Iterable<[string, T]>): Array<[string, T]> =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
