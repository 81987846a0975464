// What travels on RabbitMQ: CloudEvents in binary mode as `cloudEvents_*` headers plus the
// matching AMQP properties, and the failure headers on retry and dead-letter copies. Read back:
// either prefix of the AMQP binding (`cloudEvents_`, or `cloudEvents:` of its first version), and
// a structured-mode message by its content type (the pipeline reads it from the body).
import type { ConsumeMessage, Options } from "amqplib";
import { isValidTraceparent } from "../core/cloudevents.js";
import { FAILURE_HEADERS, type Delivery, type Failure, type OutgoingMessage } from "../core/types.js";

const CLOUD_EVENTS_PREFIX = "cloudEvents_";
/** The AMQP binding's prefix before version 1.0.1, which JMS selectors could not name. */
const COLON_PREFIX = "cloudEvents:";
const HEADER_ATTRIBUTES = ["id", "type", "source", "specversion", "time", "dataversion", "dataschema"] as const;
export const ORIGINAL_QUEUE_HEADER = "x-evgen-original-queue";

/** Persistent, mandatory (a message no queue takes comes back rather than vanish), with CloudEvents headers. */
export function eventPublishOptions(message: OutgoingMessage, appId: string): Options.Publish {
  const { attributes } = message;
  const headers: Record<string, string> = {};
  for (const name of HEADER_ATTRIBUTES) headers[CLOUD_EVENTS_PREFIX + name] = attributes[name];
  if (attributes.traceparent) headers.traceparent = attributes.traceparent;
  if (attributes.subject !== undefined) headers[`${CLOUD_EVENTS_PREFIX}subject`] = attributes.subject;
  for (const name in attributes.extensions) headers[CLOUD_EVENTS_PREFIX + name] = attributes.extensions[name]!;
  const timeMs = Date.parse(attributes.time);
  return {
    persistent: true,
    mandatory: true,
    contentType: attributes.datacontenttype,
    messageId: attributes.id,
    type: attributes.type,
    timestamp: Number.isFinite(timeMs) ? Math.floor(timeMs / 1000) : undefined, // AMQP: seconds
    appId,
    headers,
  };
}

/** What a header value is, for an error message. */
function kindOf(value: unknown): string {
  if (Buffer.isBuffer(value)) return "byte array";
  if (Array.isArray(value)) return "array";
  return value === null ? "void" : typeof value === "object" ? "table" : typeof value;
}

/** An AMQP timestamp header as amqplib decodes it: seconds since the epoch. */
function isTimestamp(value: unknown): value is { "!": "timestamp"; value: number } {
  const tagged = value as { "!"?: unknown; value?: unknown };
  return typeof value === "object" && tagged["!"] === "timestamp" && Number.isSafeInteger(tagged.value);
}

/**
 * An attribute's text, as CloudEvents writes each type of it: the AMQP binding lets a producer
 * send integers and booleans as such, and `time` as an AMQP timestamp.
 */
function attributeText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isTimestamp(value)) {
    const time = new Date(value.value * 1000);
    return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
  }
  return undefined;
}

/**
 * A received message as the pipeline sees it. Headers come from whoever published: an attribute
 * that is not a string, or an attempt count outside 1..attempts-1 of this consumer's retry
 * policy (`attempts`), makes the delivery invalid instead of being read as something else.
 */
export function readDelivery(message: ConsumeMessage, queue: string, attempts = Infinity): Delivery {
  const headers: Record<string, unknown> = message.properties.headers ?? {};
  const attributes: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value == null || !(name.startsWith(CLOUD_EVENTS_PREFIX) || name.startsWith(COLON_PREFIX))) continue;
    const text = attributeText(value);
    if (text !== undefined) attributes[name.slice(CLOUD_EVENTS_PREFIX.length)] = text;
    else problems.push(`header ${name} is a ${kindOf(value)}, not a string`);
  }
  // A malformed trace context is dropped, not passed on.
  if (isValidTraceparent(headers.traceparent)) attributes.traceparent = headers.traceparent;
  // A producer that only set the AMQP properties still says which event this is.
  const { messageId, type, contentType } = message.properties;
  if (attributes.id === undefined && typeof messageId === "string") attributes.id = messageId;
  if (attributes.type === undefined && typeof type === "string") attributes.type = type;
  if (attributes.datacontenttype === undefined && typeof contentType === "string") {
    attributes.datacontenttype = contentType;
  }
  let attempt = 1;
  const attemptsMade = headers[FAILURE_HEADERS.attempt];
  if (attemptsMade !== undefined) {
    // Only a retry copy carries it, from one of this consumer's wait queues.
    const made = typeof attemptsMade === "number" ? attemptsMade : NaN;
    if (Number.isInteger(made) && made >= 1 && made < attempts) attempt = made + 1;
    else
      problems.push(
        `header ${FAILURE_HEADERS.attempt} is ${describe(attemptsMade)}, not a whole number from 1 to ${attempts - 1}`,
      );
  }
  const delivery: Delivery = {
    attributes,
    body: message.content,
    attempt,
    origin: message.fields.redelivered ? `${queue} (redelivered)` : queue,
    // The queue is bound to the consumer's event types only.
    dedicated: true,
  };
  if (problems.length > 0) delivery.invalid = problems.join("; ");
  return delivery;
}

function describe(value: unknown): string {
  const text = typeof value === "string" || typeof value === "number" ? JSON.stringify(value) : `a ${kindOf(value)}`;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * A copy of a received message for a wait queue or the dead-letter queue: same body, properties
 * and headers, with this failure's headers in place of any earlier ones. The broker's own
 * bookkeeping (x-death, ...) is left out, RabbitMQ writes it afresh; so are the properties that would make the copy behave
 * differently from the original (its own TTL, a user id the broker checks against the connection).
 */
export function failureCopyOptions(
  message: ConsumeMessage,
  failure: Failure,
  queue: string,
  dueAt?: number,
): Options.Publish {
  const { headers = {}, userId, expiration, deliveryMode, clusterId, ...properties } = message.properties;
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !isReplacedHeader(name)));
  return {
    ...properties,
    persistent: true,
    mandatory: true,
    headers: {
      ...kept,
      [FAILURE_HEADERS.attempt]: failure.attempt,
      [FAILURE_HEADERS.error]: failure.message,
      [FAILURE_HEADERS.kind]: failure.kind,
      [FAILURE_HEADERS.consumer]: failure.consumer,
      [FAILURE_HEADERS.failedAt]: failure.failedAt,
      [ORIGINAL_QUEUE_HEADER]: queue,
      ...(dueAt === undefined ? {} : { [FAILURE_HEADERS.dueAt]: dueAt }),
    },
  };
}

const EVGEN_FAILURE_HEADERS = new Set<string>([...Object.values(FAILURE_HEADERS), ORIGINAL_QUEUE_HEADER]);

/** What RabbitMQ itself records about dead-lettering and redelivery: not part of the event. */
export function isBrokerHeader(name: string): boolean {
  return (
    name === "x-death" ||
    name === "x-delivery-count" ||
    name.startsWith("x-first-death-") ||
    name.startsWith("x-last-death-")
  );
}

const isReplacedHeader = (name: string) => EVGEN_FAILURE_HEADERS.has(name) || isBrokerHeader(name);
