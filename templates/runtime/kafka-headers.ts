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

const CE_PREFIX = "ce_";
const CONTENT_TYPE = "content-type";
const TRACEPARENT = "traceparent";

export function attributeHeaders(attributes: CloudEventAttributes): IHeaders {
  const headers: IHeaders = {
    [`${CE_PREFIX}id`]: attributes.id,
    [`${CE_PREFIX}type`]: attributes.type,
    [`${CE_PREFIX}source`]: attributes.source,
    [`${CE_PREFIX}specversion`]: attributes.specversion,
    [`${CE_PREFIX}time`]: attributes.time,
    [`${CE_PREFIX}dataversion`]: attributes.dataversion,
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

// The attributes a consumer reads, and the header each arrives in.
const ATTRIBUTE_HEADERS = [
  ["id", `${CE_PREFIX}id`],
  ["type", `${CE_PREFIX}type`],
  ["source", `${CE_PREFIX}source`],
  ["specversion", `${CE_PREFIX}specversion`],
  ["time", `${CE_PREFIX}time`],
  ["dataversion", `${CE_PREFIX}dataversion`],
  ["datacontenttype", CONTENT_TYPE],
  ["traceparent", TRACEPARENT],
] as const;

/**
 * The CloudEvents attributes found in the headers, names without prefix; whatever is there,
 * unchecked. Looked up by name, so every record's attributes have the same shape: walking all
 * headers built each object key by key, which cost more than the rest of decoding.
 */
export function headerAttributes(headers: IHeaders | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (!headers) return attributes;
  for (const [name, header] of ATTRIBUTE_HEADERS) {
    const value = text(headers[header]);
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
