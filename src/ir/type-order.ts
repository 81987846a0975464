// Named types in dependency order, so each zod schema is declared after the schemas it uses.
import type { IRField, IRType } from "./types.js";

/** Named types an IR type refers to, anywhere inside it. */
export function typeReferences(type: IRType): string[] {
  switch (type.kind) {
    case "ref":
      return [type.name];
    case "array":
      return typeReferences(type.items);
    case "object":
      return fieldReferences(type.fields);
    case "union":
      return type.options.flatMap(typeReferences);
    default:
      return [];
  }
}

export function fieldReferences(fields: IRField[]): string[] {
  return fields.flatMap((field) => typeReferences(field.type));
}

/** Dependencies first; among types whose dependencies are all placed, by name. Assumes no cycles. */
export function dependencyOrder(types: ReadonlyMap<string, IRField[]>): string[] {
  const pending = new Map(
    [...types].map(([name, fields]) => [
      name,
      new Set(fieldReferences(fields).filter((r) => types.has(r) && r !== name)),
    ]),
  );
  const ordered: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    // A cycle (rejected by validation) would leave nothing ready: place the rest by name.
    const next = (ready.length > 0 ? ready : [...pending.keys()]).sort()[0]!;
    ordered.push(next);
    pending.delete(next);
    for (const deps of pending.values()) deps.delete(next);
  }
  return ordered;
}
