// The Kafka wire format: CloudEvents binary mode in record headers, and the failure
// headers that retry and dead-letter copies carry next to the original headers, key and body.
// Client-neutral: kafkajs hands headers over as an object, @platformatic/kafka as a Map. A record
// in structured mode has only its `content-type` here: the pipeline reads the rest from the body.
import { truncateUtf8 } from "../core/errors.js";
import { FAILURE_HEADERS, type CloudEventAttributes, type Failure } from "../core/types.js";

/** Where a failed event was first consumed; kept unchanged on every later copy. */
export const ORIGINAL_HEADERS = {
  topic: "x-evgen-original-topic",
  partition: "x-evgen-original-partition",
  offset: "x-evgen-original-offset",
} as const;

/** Record headers as an object (kafkajs's IHeaders has this shape); a repeated header is an array. */
export type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;
export type RecordHeaders = Record<string, HeaderValue>;
/** Record headers as @platformatic/kafka reads them (header names decoded to text). */
export type HeaderMap = Map<string, Buffer | undefined>;

const CONTENT_TYPE = "content-type";
const TRACEPARENT = "traceparent";
const PREFIX = "ce_";
/** `ce_` headers read by name below; any other is an extension attribute. */
const NAMED_HEADERS = new Set(
  [
    "id",
    "type",
    "source",
    "specversion",
    "time",
    "subject",
    "dataschema",
    "dataversion",
    "datacontenttype",
    "traceparent",
  ].map((name) => PREFIX + name),
);

/** The CloudEvents Kafka binary mode: each attribute in a `ce_` header, content type as is. */
export function attributeHeaders(attributes: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    ce_id: attributes.id,
    ce_type: attributes.type,
    ce_source: attributes.source,
    ce_specversion: attributes.specversion,
    ce_time: attributes.time,
    ce_dataversion: attributes.dataversion,
    ce_dataschema: attributes.dataschema,
    [CONTENT_TYPE]: attributes.datacontenttype,
  };
  if (attributes.traceparent) headers[TRACEPARENT] = attributes.traceparent;
  if (attributes.subject !== undefined) headers.ce_subject = attributes.subject;
  for (const name in attributes.extensions) headers[`ce_${name}`] = attributes.extensions[name]!;
  return headers;
}

function text(value: HeaderValue): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

export function headerValue(headers: RecordHeaders | HeaderMap | undefined, name: string): string | undefined {
  return text(headers instanceof Map ? headers.get(name) : headers?.[name]);
}

/**
 * The text of a header whose value seldom changes from one record to the next (type, source,
 * versions): the last value is kept and compared byte by byte, which is cheaper than decoding a
 * short Buffer, a call into C++, for every record.
 */
class RepeatedText {
  private bytes = Buffer.alloc(0);
  private text = "";

  of(value: HeaderValue): string | undefined {
    const buffer = Array.isArray(value) ? value[0] : value;
    if (buffer === undefined || typeof buffer === "string") return buffer;
    if (!sameBytes(buffer, this.bytes)) {
      this.text = buffer.toString();
      this.bytes = Buffer.from(buffer); // a copy: the fetched bytes it came from are reused
    }
    return this.text;
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  if (a.length > 64) return a.equals(b);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Header names as text (@platformatic/kafka hands them over as bytes): the same few names come
 * with every record, so each is decoded once and then recognised by a hash of its bytes, computed
 * in JavaScript, instead of a call into C++ per header of every record.
 */
export function headerNameDecoder(): (bytes?: Buffer) => string {
  const known = new Map<number, { bytes: Buffer; name: string }>();
  return (bytes) => {
    if (bytes === undefined) return "";
    if (bytes.length > 64) return bytes.toString();
    let hash = bytes.length;
    for (let i = 0; i < bytes.length; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    const seen = known.get(hash);
    if (seen && sameBytes(seen.bytes, bytes)) return seen.name;
    const name = bytes.toString();
    // Bounded: names made up per record (unusual) are decoded each time instead of piling up.
    if (known.size < 256) known.set(hash, { bytes: Buffer.from(bytes), name });
    return name;
  };
}

// Headers whose values repeat from record to record.
const TYPE = new RepeatedText();
const SOURCE = new RepeatedText();
const SPECVERSION = new RepeatedText();
const DATAVERSION = new RepeatedText();
const DATASCHEMA = new RepeatedText();
const DATACONTENTTYPE = new RepeatedText();

/**
 * The CloudEvents attributes found in the headers, names without prefix; whatever is there,
 * unchecked, and undefined where a header is absent. One object literal read by name: every
 * record's attributes get the same shape, which keeps this hot path cheap for the engine; the
 * rare extension attributes are added after. The trace context is the `traceparent` header, or
 * the `ce_traceparent` attribute other CloudEvents producers write.
 */
export function headerAttributes(headers: RecordHeaders | undefined): Record<string, string> {
  if (!headers) return {};
  const attributes: Record<string, string | undefined> = {
    id: text(headers.ce_id),
    type: TYPE.of(headers.ce_type),
    source: SOURCE.of(headers.ce_source),
    specversion: SPECVERSION.of(headers.ce_specversion),
    time: text(headers.ce_time),
    subject: text(headers.ce_subject),
    dataversion: DATAVERSION.of(headers.ce_dataversion),
    dataschema: DATASCHEMA.of(headers.ce_dataschema),
    datacontenttype: DATACONTENTTYPE.of(headers[CONTENT_TYPE] ?? headers.ce_datacontenttype),
    traceparent: text(headers[TRACEPARENT] ?? headers.ce_traceparent),
  };
  for (const name in headers) {
    if (name.startsWith(PREFIX) && !NAMED_HEADERS.has(name))
      attributes[name.slice(PREFIX.length)] = text(headers[name]);
  }
  return attributes as Record<string, string>;
}

/** headerAttributes of headers read into a Map (@platformatic/kafka), with the same shape. */
export function mapHeaderAttributes(headers: HeaderMap): Record<string, string> {
  const attributes: Record<string, string | undefined> = {
    id: text(headers.get("ce_id")),
    type: TYPE.of(headers.get("ce_type")),
    source: SOURCE.of(headers.get("ce_source")),
    specversion: SPECVERSION.of(headers.get("ce_specversion")),
    time: text(headers.get("ce_time")),
    subject: text(headers.get("ce_subject")),
    dataversion: DATAVERSION.of(headers.get("ce_dataversion")),
    dataschema: DATASCHEMA.of(headers.get("ce_dataschema")),
    datacontenttype: DATACONTENTTYPE.of(headers.get(CONTENT_TYPE) ?? headers.get("ce_datacontenttype")),
    traceparent: text(headers.get(TRACEPARENT) ?? headers.get("ce_traceparent")),
  };
  // Names alone: no [name, value] pair is made per header of every record.
  for (const name of headers.keys()) {
    if (name.startsWith(PREFIX) && !NAMED_HEADERS.has(name))
      attributes[name.slice(PREFIX.length)] = text(headers.get(name));
  }
  return attributes as Record<string, string>;
}

/**
 * Headers of a retry (with `dueAt`) or dead-letter copy: the original headers, the failure, and
 * the event's first position, which an earlier copy may already carry.
 */
export function failureHeaders(
  message: { headers?: RecordHeaders | HeaderMap; offset: string },
  from: { topic: string; partition: number },
  failure: Failure,
  dueAt?: number,
): RecordHeaders {
  const headers: RecordHeaders =
    message.headers instanceof Map ? Object.fromEntries(message.headers) : { ...message.headers };
  delete headers[FAILURE_HEADERS.dueAt];
  headers[FAILURE_HEADERS.attempt] = String(failure.attempt);
  headers[FAILURE_HEADERS.error] = truncateUtf8(failure.message);
  headers[FAILURE_HEADERS.kind] = failure.kind;
  headers[FAILURE_HEADERS.consumer] = failure.consumer;
  headers[FAILURE_HEADERS.failedAt] = failure.failedAt;
  if (headers[ORIGINAL_HEADERS.topic] === undefined) {
    headers[ORIGINAL_HEADERS.topic] = from.topic;
    headers[ORIGINAL_HEADERS.partition] = String(from.partition);
    headers[ORIGINAL_HEADERS.offset] = message.offset;
  }
  if (dueAt !== undefined) headers[FAILURE_HEADERS.dueAt] = String(dueAt);
  return headers;
}
