// CloudEvents 1.0 as evgen reads it, whatever carried it (Kafka, RabbitMQ, HTTP): the attributes a
// binding found (names without prefix, values as text) and the body, in binary or structured
// content mode, become an EvgenEvent of a known type and version, or a reason why not. What is
// accepted is described in docs/wire-format.md ("Consuming").
import { isUtf8 } from "node:buffer";
import type { EvgenEvent } from "./handlers.js";
import type { EventDef } from "./types.js";

/** Attributes as a binding found them: context attributes and extensions, names without prefix. */
export type WireAttributes = Record<string, string | undefined>;

/**
 * An event's data: the bytes of a binary-mode body (JSON text), or the `data` value of a structured
 * event, already parsed.
 */
export type EventData = Buffer | { value: unknown };

/** An event of either content mode, read as far as the binding can tell: its attributes and data. */
export interface WireEvent {
  attributes: WireAttributes;
  data: EventData;
}

export type WireRead = { ok: true; event: WireEvent } | { ok: false; problem: string };
export type Decoded = { ok: true; event: EvgenEvent } | { ok: false; problem: string };

/** The media type of structured content mode (JSON event format). */
export const STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
const BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";

/** Where evgen's producers point `dataschema`: the event type's schema at one version. */
export function dataschemaOf(type: string, version: number): string {
  return `urn:evgen:${type}:v${version}`;
}

/** A version named by a `dataschema` URI: its last segment `v<N>` (then optionally `.json`). */
const DATASCHEMA_VERSION = /(?:^|[/:.#_-])v(\d{1,9})(?:\.json)?$/i;

/** CloudEvents `time`: an RFC 3339 timestamp. */
const RFC3339 =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const TRACEPARENT = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C trace context header value that may be propagated (malformed ones are dropped). */
export function isValidTraceparent(value: unknown): value is string {
  return typeof value === "string" && TRACEPARENT.test(value) && !value.startsWith("ff");
}

/** Attributes with a field of their own in EvgenEvent (or none at all): every other is an extension. */
const NAMED_ATTRIBUTES = new Set([
  "id",
  "type",
  "source",
  "specversion",
  "time",
  "subject",
  "dataschema",
  "datacontenttype",
  "dataversion",
  "traceparent",
]);
/** Extension names as CloudEvents 1.0 allows them. */
const EXTENSION_NAME = /^[a-z0-9]{1,64}$/;

/** The media type of a content type, lower case and without parameters. */
function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(";");
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** `application/cloudevents+json`, with or without parameters. Cheap on the binary-mode path. */
export function isStructuredMode(contentType: string | undefined): boolean {
  return (
    contentType !== undefined &&
    contentType.length >= STRUCTURED_CONTENT_TYPE.length &&
    (contentType.charCodeAt(12) | 0x20) === 0x63 && // "c" of cloudevents: rules out application/json at once
    mediaType(contentType) === STRUCTURED_CONTENT_TYPE
  );
}

/** JSON data: `application/json` or any `+json` type (parameters aside), or no content type at all. */
function isJsonData(contentType: string | undefined): boolean {
  // What evgen's producers write, recognised without taking the text apart (every event).
  if (contentType === undefined || contentType === "application/json") return true;
  const type = mediaType(contentType);
  return type === "application/json" || type === "text/json" || type.endsWith("+json");
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  return value === null ? "null" : typeof value;
}

/**
 * A structured-mode body (JSON event format) as attributes and data. Extension values that JSON
 * types as numbers or booleans are read as their text, as binary mode carries them.
 */
export function readStructured(body: Buffer): WireRead {
  if (!isUtf8(body)) return { ok: false, problem: "structured event is not UTF-8" };
  let json: unknown;
  try {
    json = JSON.parse(body.toString());
  } catch (error) {
    return {
      ok: false,
      problem: `structured event is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, problem: `structured event is a JSON ${kindOf(json)}, not an object` };
  }
  const attributes: WireAttributes = {};
  let data: EventData | undefined;
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === "data") {
      data = { value };
    } else if (name === "data_base64") {
      if (typeof value !== "string") return { ok: false, problem: `data_base64 is a ${kindOf(value)}, not a string` };
      data = Buffer.from(value, "base64");
    } else if (value === null || value === undefined) {
      continue;
    } else if (typeof value === "string") {
      attributes[name] = value;
    } else if (!NAMED_ATTRIBUTES.has(name) && (typeof value === "number" || typeof value === "boolean")) {
      attributes[name] = String(value);
    } else if (name === "dataversion" && typeof value === "number") {
      attributes[name] = String(value);
    } else {
      return { ok: false, problem: `attribute ${name} is a ${kindOf(value)}, not a string` };
    }
  }
  return { ok: true, event: { attributes, data: data ?? { value: undefined } } };
}

/**
 * An event in either content mode: structured when the content type says so, binary otherwise
 * (the attributes as the binding found them, `datacontenttype` from its content type; the body is
 * the data). A batch is refused: one message is one event.
 */
export function readWireEvent(attributes: WireAttributes, body: Buffer): WireRead {
  const contentType = attributes.datacontenttype;
  if (isStructuredMode(contentType)) return readStructured(body);
  if (contentType !== undefined && mediaType(contentType) === BATCH_CONTENT_TYPE) {
    return { ok: false, problem: "batched CloudEvents are not accepted: send one event per message" };
  }
  return { ok: true, event: { attributes, data: body } };
}

/** What is wrong with the context attributes every event must have, or undefined. */
export function contextProblem(attributes: WireAttributes): string | undefined {
  const { id, type, source, specversion, time } = attributes;
  // Named reads, not a loop over the names: this runs for every event.
  if (!id || !type || !source || !specversion) {
    const absent = ["id", "type", "source", "specversion"].filter((name) => !attributes[name]);
    return `missing CloudEvents attribute(s): ${absent.join(", ")}`;
  }
  if (specversion !== "1.0") return `unsupported specversion "${specversion}"`;
  // Optional in CloudEvents 1.0; when present, an RFC 3339 timestamp.
  if (time !== undefined && !RFC3339.test(time)) return `invalid time "${time}"`;
  return undefined;
}

function payloadIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(payload)"}: ${i.message}`).join("; ");
}

const REPLACEMENT_CHARACTER = "\uFFFD";

/** The data as a JSON value: a binary-mode body must be UTF-8 JSON. */
function dataValue(data: EventData): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (!Buffer.isBuffer(data)) return { ok: true, value: data.value };
  const text = data.toString();
  // Decoding replaces what is not UTF-8 with U+FFFD, which would hand the handler other bytes: a
  // text without one came from UTF-8 (and one-byte text, as most is, cannot hold it: the search
  // ends at once), a text with one is checked byte by byte.
  if (text.indexOf(REPLACEMENT_CHARACTER) !== -1 && !isUtf8(data)) return { ok: false, problem: "body is not UTF-8" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

let lastVersionText = "1";
let lastVersion = 1;

/** `dataversion` as a number (NaN when it is not one); the text mostly repeats from event to event. */
function versionNumber(text: string): number {
  if (text === lastVersionText) return lastVersion;
  const version = /^[1-9]\d{0,8}$/.test(text) ? Number(text) : NaN;
  lastVersionText = text;
  lastVersion = version;
  return version;
}

type Versioned = { ok: true; version: number; data: unknown } | { ok: false; problem: string };

/**
 * The version of the data, and the data as its schema parsed it. `dataversion` names it; without
 * it, a `dataschema` ending in `v<N>`; without either, the highest version whose schema accepts
 * the data.
 */
function versioned(def: EventDef, attributes: WireAttributes, value: unknown): Versioned {
  const { dataversion, dataschema } = attributes;
  let named: number | undefined;
  let by = "";
  if (dataversion !== undefined) {
    named = versionNumber(dataversion);
    by = `dataversion "${dataversion}"`;
  } else if (dataschema !== undefined) {
    const match = DATASCHEMA_VERSION.exec(dataschema.replace(/[?#].*$/, ""));
    if (match) {
      named = Number(match[1]);
      by = `version ${named} (from dataschema "${dataschema}")`;
    }
  }
  if (named !== undefined) {
    const schema = def.versions[named];
    if (!schema) {
      return { ok: false, problem: `unknown ${by} of ${def.type} (known: ${Object.keys(def.versions).join(", ")})` };
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      return { ok: false, problem: `payload does not match ${def.type} v${named}: ${payloadIssues(parsed.error)}` };
    return { ok: true, version: named, data: parsed.data };
  }
  const versions = Object.keys(def.versions)
    .map(Number)
    .sort((a, b) => b - a);
  let firstIssues = "";
  for (const version of versions) {
    const parsed = def.versions[version]!.safeParse(value);
    if (parsed.success) return { ok: true, version, data: parsed.data };
    firstIssues ||= payloadIssues(parsed.error);
  }
  return {
    ok: false,
    problem: `payload matches no version of ${def.type} (no dataversion; v${versions[0]}: ${firstIssues})`,
  };
}

/**
 * The event its handlers receive, once the data is JSON of a version of `def` (see `versioned`).
 * The context attributes must have passed `contextProblem`, and `attributes.type` be `def.type`.
 */
export function decodeData(def: EventDef, attributes: WireAttributes, data: EventData): Decoded {
  if (!isJsonData(attributes.datacontenttype)) {
    return {
      ok: false,
      problem: `unsupported datacontenttype "${attributes.datacontenttype}": evgen events carry JSON`,
    };
  }
  const value = dataValue(data);
  if (!value.ok) return value;
  const result = versioned(def, attributes, value.value);
  if (!result.ok) return result;
  const event: EvgenEvent = {
    id: attributes.id!,
    type: def.type,
    source: attributes.source!,
    specversion: "1.0",
    dataversion: result.version,
    data: result.data,
  };
  if (attributes.time !== undefined) event.time = attributes.time;
  if (attributes.subject !== undefined) event.subject = attributes.subject;
  if (attributes.dataschema !== undefined) event.dataschema = attributes.dataschema;
  // A malformed trace context is dropped rather than passed on.
  if (isValidTraceparent(attributes.traceparent)) event.traceparent = attributes.traceparent;
  const extensions = extensionsOf(attributes);
  if (extensions) event.extensions = extensions;
  return { ok: true, event };
}

/** Attributes other than the named ones, or undefined when there are none (most events). */
function extensionsOf(attributes: WireAttributes): Record<string, string> | undefined {
  let extensions: Record<string, string> | undefined;
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined || NAMED_ATTRIBUTES.has(name) || !EXTENSION_NAME.test(name)) continue;
    (extensions ??= {})[name] = value;
  }
  return extensions;
}

/**
 * One call for a receiver that has no consumer to answer for (the HTTP ingress): either content
 * mode, the context attributes, a type of `events`, and data of one of its versions.
 */
export function decodeCloudEvent(events: Record<string, EventDef>, attributes: WireAttributes, body: Buffer): Decoded {
  const read = readWireEvent(attributes, body);
  if (!read.ok) return read;
  const problem = contextProblem(read.event.attributes);
  if (problem !== undefined) return { ok: false, problem };
  const type = read.event.attributes.type!;
  const def = Object.hasOwn(events, type) ? events[type] : undefined;
  if (!def) return { ok: false, problem: `unknown event type "${type}"` };
  return decodeData(def, read.event.attributes, read.event.data);
}
