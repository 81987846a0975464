// Edits of evgen.yaml made by `add-event` and `add-consumer`. The document is parsed only to find
// where an entry goes; the edit itself splices text, so the user's comments and layout survive.
import { isMap, isScalar, parseDocument, stringify, type Document, type YAMLMap } from "yaml";
import { EVENT_TYPE, FIELD_KEY, SHORTHAND, CONSUMER_NAME, VERSION_KEY } from "../spec/patterns.js";

/** A problem with what the user asked for (not with the spec): a usage error. */
export class EditError extends Error {}

export interface FieldArg {
  key: string; // "name" or "name?"
  type: string; // a shorthand: string, uuid, LineItem[], ...
}

/** `name:type` or `name?:type` from `--field`. */
export function parseFieldArg(arg: string): FieldArg {
  const at = arg.indexOf(":");
  const key = at < 0 ? arg : arg.slice(0, at).trim();
  const type = at < 0 ? "string" : arg.slice(at + 1).trim();
  if (!FIELD_KEY.test(key)) {
    throw new EditError(
      `--field ${JSON.stringify(arg)}: "${key}" is not a field name ([A-Za-z_][A-Za-z0-9_]*, "?" suffix = optional)`,
    );
  }
  if (!SHORTHAND.test(type)) {
    throw new EditError(
      `--field ${JSON.stringify(arg)}: "${type}" is not a field type (string, integer, uuid, a named type, any of them with [])`,
    );
  }
  return { key, type };
}

function load(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new EditError(`evgen.yaml is not valid YAML: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new EditError("evgen.yaml is not a YAML mapping");
  return doc;
}

/** The top-level block map `name`, or undefined when the spec has no such section yet. */
function section(doc: Document, name: string): YAMLMap | undefined {
  const existing: unknown = doc.get(name, true);
  if (isMap(existing) && existing.items.length > 0) return existing;
  if (existing === undefined) return undefined;
  throw new EditError(`"${name}" in evgen.yaml is not a mapping with entries; add the entry by hand`);
}

/** Adds `lines` under `name`, creating the section at the end of the file when it is missing. */
function addToSection(text: string, doc: Document, name: string, lines: string[]): string {
  const map = section(doc, name);
  if (map) return appendEntry(text, map, lines);
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${base}\n${name}:\n${lines.map((line) => `  ${line}\n`).join("")}`;
}

/** A YAML scalar, quoted only when it has to be. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/**
 * A description as one YAML line: text of several lines becomes a double-quoted scalar with \n
 * escapes (a block scalar would need the indentation of the place it is spliced into). Control
 * characters other than line breaks and tabs have no place in a description and are refused.
 */
function textScalar(value: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(value)) {
    throw new EditError("--description: control characters are not allowed (line breaks and tabs are)");
  }
  // A JSON string is a YAML double-quoted scalar (yaml's own would fold the breaks onto lines).
  const quoted = JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return /[\r\n\u2028\u2029]/.test(value) ? quoted : scalar(value);
}

/**
 * Appends `lines` (an entry, indented relative to its key) as the last entry of a block map by
 * splicing text, so every byte of the user's file around it stays as it was.
 */
function appendEntry(text: string, map: YAMLMap, lines: string[]): string {
  const first = map.items[0]?.key;
  const last = map.items.at(-1);
  const lastEnd = (last?.value as { range?: [number, number, number] } | null | undefined)?.range?.[1];
  if (map.flow || !isScalar(first) || !first.range || lastEnd === undefined) {
    throw new EditError("this section of evgen.yaml is written in flow style ({ ... }); add the entry by hand");
  }
  const indent = " ".repeat(first.range[0] - lineStart(text, first.range[0]));
  const at = lineEndAfter(text, lastEnd);
  const before = text.slice(0, at) + (text.slice(0, at).endsWith("\n") ? "" : "\n");
  // Entries separated by blank lines get one too.
  const lastKey = isScalar(last?.key) ? last.key.range?.[0] : undefined;
  const spaced = lastKey !== undefined && /\n[ \t]*\n[ \t]*$/.test(text.slice(0, lineStart(text, lastKey)));
  return before + (spaced ? "\n" : "") + lines.map((line) => indent + line + "\n").join("") + text.slice(at);
}

export interface AddEventOptions {
  type: string;
  fields: FieldArg[];
  key?: string;
  topic?: string;
  description?: string;
  newVersion?: boolean;
}

export function addEvent(text: string, opts: AddEventOptions): string {
  if (!EVENT_TYPE.test(opts.type)) {
    throw new EditError(
      `"${opts.type}" is not an event type: 2+ dot-separated segments of [a-z][a-z0-9-]*, e.g. order.created`,
    );
  }
  const doc = load(text);
  const existing: unknown = section(doc, "events")?.get(opts.type, true);

  if (opts.newVersion) {
    if (!isMap(existing)) throw new EditError(`there is no event "${opts.type}" to add a version to`);
    if (opts.description || opts.key || opts.topic) {
      throw new EditError("--new-version adds fields only; edit description, key or topic in evgen.yaml");
    }
    return addVersion(text, existing, opts);
  }
  if (existing !== undefined) {
    throw new EditError(`the event "${opts.type}" exists already; add --new-version to give it a new version`);
  }
  if (opts.fields.length === 0) throw new EditError("give the event at least one --field name:type");

  const lines = [`${opts.type}:`];
  if (opts.description) lines.push(`  description: ${textScalar(opts.description)}`);
  if (opts.key) lines.push(`  key: ${scalar(opts.key)}`);
  if (opts.topic) lines.push(`  topic: ${scalar(opts.topic)}`);
  lines.push("  schema:", ...opts.fields.map((f) => `    ${f.key}: ${scalar(f.type)}`));
  return addToSection(text, doc, "events", lines);
}

/**
 * Appends the next version. A `schema:` shorthand first becomes `versions:` with it as version 1,
 * by re-indenting its own lines only.
 */
function addVersion(text: string, event: YAMLMap, opts: AddEventOptions): string {
  const versions: unknown = event.get("versions", true);
  if (isMap(versions)) {
    const numbers = versions.items
      .map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key))
      .filter((k) => VERSION_KEY.test(k))
      .map(Number);
    const latest = Math.max(0, ...numbers);
    const previous: unknown = versions.get(latest, true) ?? versions.get(String(latest), true);
    return appendEntry(text, versions, versionLines(latest + 1, opts.fields, previous));
  }
  const pair = event.items.find((p) => isScalar(p.key) && p.key.value === "schema");
  const keyRange = isScalar(pair?.key) ? pair.key.range : undefined;
  const valueRange = (pair?.value as { range?: [number, number, number] } | undefined)?.range;
  if (!pair || !keyRange || !valueRange)
    throw new EditError(`the event "${opts.type}" has neither schema nor versions`);

  const from = lineStart(text, keyRange[0]);
  const to = lineEndAfter(text, valueRange[1]);
  const indent = " ".repeat(keyRange[0] - from);
  const [head = "", ...rest] = text.slice(from, to).replace(/\n$/, "").split("\n");
  const converted = [
    `${indent}versions:`,
    `${indent}  1:${head.slice(indent.length + "schema:".length)}`,
    ...rest.map((line) => (line.trim() === "" ? line : `  ${line}`)),
    ...versionLines(2, opts.fields, pair.value).map((line) => `${indent}  ${line}`),
  ];
  return text.slice(0, from) + converted.join("\n") + "\n" + text.slice(to);
}

/** `n:` and its fields: the given ones, or (none given) a copy of the previous version to edit. */
function versionLines(n: number, fields: FieldArg[], previous: unknown): string[] {
  if (fields.length > 0) return [`${n}:`, ...fields.map((f) => `  ${f.key}: ${scalar(f.type)}`)];
  const copy = isMap(previous) ? (previous.toJSON() as Record<string, unknown>) : {};
  const body = stringify(copy, { lineWidth: 0, flowCollectionPadding: true }).trimEnd().split("\n");
  return [`${n}:`, ...body.map((line) => `  ${line}`)];
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Offset just past the newline ending the line that holds `offset` (or the text's end). */
function lineEndAfter(text: string, offset: number): number {
  const newline = text.indexOf("\n", Math.max(offset - 1, 0));
  return newline < 0 ? text.length : newline + 1;
}

export interface AddConsumerOptions {
  name: string;
  on: string[];
  emits?: string[];
  description?: string;
}

export function addConsumer(text: string, opts: AddConsumerOptions): string {
  if (!CONSUMER_NAME.test(opts.name))
    throw new EditError(`"${opts.name}" is not a consumer name: [a-z][a-z0-9-]*, e.g. send-confirmation`);
  if (opts.on.length === 0) throw new EditError("a consumer needs at least one event type in --on");
  const doc = load(text);
  if (section(doc, "consumers")?.get(opts.name, true) !== undefined)
    throw new EditError(`the consumer "${opts.name}" exists already`);

  for (const type of [...opts.on, ...(opts.emits ?? [])]) {
    if (!EVENT_TYPE.test(type)) throw new EditError(`"${type}" is not an event type, e.g. order.created`);
  }
  const lines = [`${opts.name}:`];
  if (opts.description) lines.push(`  description: ${textScalar(opts.description)}`);
  lines.push(`  on: [${opts.on.join(", ")}]`);
  if (opts.emits && opts.emits.length > 0) lines.push(`  emits: [${opts.emits.join(", ")}]`);
  return addToSection(text, doc, "consumers", lines);
}
