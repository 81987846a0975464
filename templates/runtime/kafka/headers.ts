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
 * Names the decoder below hands over as the very string the code compares them with (an
 * internalized literal), so that recognising one in `entryHeaderAttributes` is a pointer comparison.
 */
const KNOWN_NAMES = new Map(
  [
    ...NAMED_HEADERS,
    CONTENT_TYPE,
    TRACEPARENT,
    ...Object.values(FAILURE_HEADERS),
    ...Object.values(ORIGINAL_HEADERS),
  ].map((name) => [name, name]),
);

/**
 * Header names as text (@platformatic/kafka hands them over as bytes). Records mostly carry the
 * same names in the same order, so each name is first compared with the one at its position in the
 * record before (the client passes the record being read as the second argument); any other is
 * recognised by a hash of its bytes, computed in JavaScript, and decoded only the first time: no
 * call into C++ per header of every record.
 */
export function headerNameDecoder(): (bytes?: Buffer, record?: object) => string {
  const known = new Map<number, DecodedName>();
  // The names of the record before, in their order.
  const order: DecodedName[] = [];
  let current: object | undefined;
  let position = 0;
  return (bytes, record) => {
    if (bytes === undefined) return "";
    if (record !== current || record === undefined) {
      current = record;
      position = 0;
    }
    const expected = order[position];
    if (expected !== undefined && sameBytes(expected.bytes, bytes)) {
      position++;
      return expected.name;
    }
    if (bytes.length > 64) return bytes.toString();
    let hash = bytes.length;
    for (let i = 0; i < bytes.length; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    let seen = known.get(hash);
    if (!seen || !sameBytes(seen.bytes, bytes)) {
      const text = bytes.toString();
      seen = { bytes: Buffer.from(bytes), name: KNOWN_NAMES.get(text) ?? text };
      // Bounded: names made up per record (unusual) are decoded each time instead of piling up.
      if (known.size < 256) known.set(hash, seen);
    }
    if (position < 32) order[position++] = seen;
    return seen.name;
  };
}

interface DecodedName {
  /** A copy: the fetched bytes it came from are reused. */
  bytes: Buffer;
  name: string;
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

/**
 * headerAttributes of the header entries @platformatic/kafka reads (names decoded by
 * headerNameDecoder), with the same shape: one pass over the entries, the last of repeated headers
 * winning as in the client's Map of them.
 */
export function entryHeaderAttributes(
  entries: ReadonlyArray<readonly [string, Buffer | undefined]>,
): Record<string, string> {
  let id: Buffer | undefined;
  let type: Buffer | undefined;
  let source: Buffer | undefined;
  let specversion: Buffer | undefined;
  let time: Buffer | undefined;
  let subject: Buffer | undefined;
  let dataversion: Buffer | undefined;
  let dataschema: Buffer | undefined;
  let contentType: Buffer | undefined;
  let datacontenttype: Buffer | undefined;
  let traceparent: Buffer | undefined;
  let ceTraceparent: Buffer | undefined;
  let extensions: Map<string, Buffer | undefined> | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const value = entry[1];
    switch (entry[0]) {
      case "ce_id":
        id = value;
        break;
      case "ce_type":
        type = value;
        break;
      case "ce_source":
        source = value;
        break;
      case "ce_specversion":
        specversion = value;
        break;
      case "ce_time":
        time = value;
        break;
      case "ce_subject":
        subject = value;
        break;
      case "ce_dataversion":
        dataversion = value;
        break;
      case "ce_dataschema":
        dataschema = value;
        break;
      case CONTENT_TYPE:
        contentType = value;
        break;
      case "ce_datacontenttype":
        datacontenttype = value;
        break;
      case TRACEPARENT:
        traceparent = value;
        break;
      case "ce_traceparent":
        ceTraceparent = value;
        break;
      default:
        if (entry[0].startsWith(PREFIX)) (extensions ??= new Map()).set(entry[0], value);
    }
  }
  const attributes: Record<string, string | undefined> = {
    id: text(id),
    type: TYPE.of(type),
    source: SOURCE.of(source),
    specversion: SPECVERSION.of(specversion),
    time: text(time),
    subject: text(subject),
    dataversion: DATAVERSION.of(dataversion),
    dataschema: DATASCHEMA.of(dataschema),
    datacontenttype: DATACONTENTTYPE.of(contentType ?? datacontenttype),
    traceparent: text(traceparent ?? ceTraceparent),
  };
  if (extensions) for (const [name, value] of extensions) attributes[name.slice(PREFIX.length)] = text(value);
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
