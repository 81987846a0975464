// Breaking changes between two versions of a payload: what would break a consumer reading the
// newer version with code written for the older one, or the reverse.
import type { IRField, IRType } from "./types.js";

export interface FieldChange {
  field: string;
  kind: "removed" | "made-required" | "type-changed";
  message: string;
}

export function breakingChanges(before: IRField[], after: IRField[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const next = new Map(after.map((f) => [f.name, f]));
  for (const old of before) {
    const now = next.get(old.name);
    if (!now) {
      changes.push({ field: old.name, kind: "removed", message: `field '${old.name}' was removed` });
      continue;
    }
    if (old.optional && !now.optional) {
      changes.push({ field: old.name, kind: "made-required", message: `field '${old.name}' was made required` });
    }
    const [was, is] = [typeSignature(old.type), typeSignature(now.type)];
    if (was !== is) {
      changes.push({
        field: old.name,
        kind: "type-changed",
        message: `field '${old.name}' changed type from ${was} to ${is}`,
      });
    }
  }
  return changes;
}

/** A readable summary of what values a type accepts; annotations and bounds are left out. */
export function typeSignature(type: IRType): string {
  const nullable = type.nullable ? " | null" : "";
  switch (type.kind) {
    case "string":
      return (type.format ?? "string") + nullable;
    case "number":
      return (type.integer ? "integer" : "number") + nullable;
    case "enum":
      return type.values.map((v) => JSON.stringify(v)).join(" | ") + nullable;
    case "const":
      return JSON.stringify(type.value) + nullable;
    case "array":
      return `${typeSignature(type.items)}[]${nullable}`;
    case "object":
      return `{ ${type.fields.map((f) => `${f.name}${f.optional ? "?" : ""}: ${typeSignature(f.type)}`).join("; ")} }${nullable}`;
    case "ref":
      return type.name + nullable;
    case "union":
      return type.options.map(typeSignature).join(" | ") + nullable;
    default:
      return type.kind + nullable;
  }
}
