// The Kafka wire format (contract §4): CloudEvents binary mode in record headers, and the failure
// headers that retry and dead-letter copies carry next to the original headers, key and body.
import type { IHeaders, KafkaMessage } from "kafkajs";
import { truncateUtf8 } from "./errors.js";
import { FAILURE_HEADERS, type CloudEventAttributes, type Failure } from "./types.js";

/** Where a failed event was first consumed; kept unchanged on every later copy. */
export const ORIGINAL_HEADERS = {
  topic: "x-evgen-original-topic",
  partition: "x-evgen-original-partition",
  offset: "x-evgen-original-offset",
} as const;

const CONTENT_TYPE = "content-type";
const TRACEPARENT = "traceparent";

/** The CloudEvents Kafka binary mode: each attribute in a `ce_` header, content type as is. */
export function attributeHeaders(attributes: CloudEventAttributes): IHeaders {
  const headers: IHeaders = {
    ce_id: attributes.id,
    ce_type: attributes.type,
    ce_source: attributes.source,
    ce_specversion: attributes.specversion,
    ce_time: attributes.time,
    ce_dataversion: attributes.dataversion,
    [CONTENT_TYPE]: attributes.datacontenttype,
  };
  if (attributes.traceparent) headers[TRACEPARENT] = attributes.traceparent;
  return headers;
}

function text(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  return text(headers?.[name]);
}

/**
 * The text of a header whose value seldom changes from one record to the next (type, source,
 * versions): the last value is kept and compared byte by byte, which is cheaper than decoding a
 * short Buffer, a call into C++, for every record.
 */
class RepeatedText {
  private bytes = Buffer.alloc(0);
  private text = "";

  of(value: IHeaders[string]): string | undefined {
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

// The attributes a consumer reads and the header each arrives in; a cache for those that repeat.
const ATTRIBUTE_HEADERS: ReadonlyArray<readonly [string, string, RepeatedText?]> = [
  ["id", "ce_id"],
  ["type", "ce_type", new RepeatedText()],
  ["source", "ce_source", new RepeatedText()],
  ["specversion", "ce_specversion", new RepeatedText()],
  ["time", "ce_time"],
  ["dataversion", "ce_dataversion", new RepeatedText()],
  ["datacontenttype", CONTENT_TYPE, new RepeatedText()],
  ["traceparent", TRACEPARENT],
];

/**
 * The CloudEvents attributes found in the headers, names without prefix; whatever is there,
 * unchecked. Looked up by name, so every record's attributes have the same shape: walking all
 * headers built each object key by key, which cost more than the rest of decoding.
 */
export function headerAttributes(headers: IHeaders | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (!headers) return attributes;
  for (const [name, header, repeated] of ATTRIBUTE_HEADERS) {
    const value = repeated ? repeated.of(headers[header]) : text(headers[header]);
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
}

/**
 * Headers of a retry (with `dueAt`) or dead-letter copy: the original headers, the failure, and
 * the event's first position, which an earlier copy may already carry.
 */
export function failureHeaders(
  message: KafkaMessage,
  from: { topic: string; partition: number },
  failure: Failure,
  dueAt?: number,
): IHeaders {
  const headers: IHeaders = { ...message.headers };
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
