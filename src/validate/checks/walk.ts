// Where the fields maps of a spec are, with their paths, for checks that look at every field.
import type { SpecPath } from "../../spec/issue.js";
import type { EventSpec } from "../../spec/schema/event.js";
import type { FieldsSpec, FieldTypeSpec } from "../../spec/schema/field-type.js";
import type { SpecParts } from "../spec-parts.js";

export interface VersionAt {
  version: number;
  fields: FieldsSpec;
  path: SpecPath;
}

/** An event's versions by number, `schema` counting as version 1. */
export function versionsOf(type: string, event: EventSpec): VersionAt[] {
  if (event.versions === undefined) {
    return event.schema ? [{ version: 1, fields: event.schema, path: ["events", type, "schema"] }] : [];
  }
  return Object.entries(event.versions)
    .map(([version, fields]) => ({ version: Number(version), fields, path: ["events", type, "versions", version] }))
    .sort((a, b) => a.version - b.version);
}

/** Every fields map: named types, then every version of every event. */
export function fieldsMaps(parts: SpecParts): Array<{ fields: FieldsSpec; path: SpecPath }> {
  return [
    ...Object.entries(parts.types).map(([name, fields]) => ({ fields, path: ["types", name] })),
    ...Object.entries(parts.events).flatMap(([type, event]) => versionsOf(type, event)),
  ];
}

/** Calls visit for a field type and every field type nested in it. */
export function eachFieldType(
  type: FieldTypeSpec,
  path: SpecPath,
  visit: (type: FieldTypeSpec, path: SpecPath) => void,
): void {
  visit(type, path);
  if (typeof type === "string") return;
  if (type.items !== undefined) eachFieldType(type.items, [...path, "items"], visit);
  for (const [name, property] of Object.entries(type.properties ?? {})) {
    eachFieldType(property, [...path, "properties", name], visit);
  }
  for (const keyword of ["oneOf", "anyOf"] as const) {
    type[keyword]?.forEach((option, i) => eachFieldType(option, [...path, keyword, i], visit));
  }
}
