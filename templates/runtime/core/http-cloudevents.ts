// CloudEvents received over HTTP (the CloudEvents HTTP binding): binary mode, the attributes in
// `ce-*` headers and the data as the body, or structured mode, `application/cloudevents+json`.
// The runtime's decoder (cloudevents.ts) reads them; what the caller sent (id, source, time,
// subject, dataschema, extensions) is published as it came (docs/spec.md, HTTP ingress).
import type { IncomingHttpHeaders } from "node:http";
import { dataschemaOf, isStructuredMode, isValidTraceparent, type WireAttributes } from "./cloudevents.js";
import type { EvgenEvent } from "./handlers.js";
import type { CloudEventAttributes, OutgoingMessage, ServiceDef } from "./types.js";

const HEADER_PREFIX = "ce-";

/** How a request carries a CloudEvent, if it does: structured by its content type, binary by its `ce-*` headers. */
export function cloudEventMode(headers: IncomingHttpHeaders): "binary" | "structured" | undefined {
  if (isStructuredMode(headers["content-type"])) return "structured";
  for (const name in headers) if (name.startsWith(HEADER_PREFIX)) return "binary";
  return undefined;
}

/** Header values are percent-encoded where they hold what a header cannot (the HTTP binding, 3.1.3.2). */
function headerText(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The attributes of a binary-mode request: each `ce-<name>` header, the content type as
 * `datacontenttype`, and the W3C `traceparent` header (distributed tracing).
 */
export function binaryAttributes(headers: IncomingHttpHeaders): WireAttributes {
  const attributes: WireAttributes = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(HEADER_PREFIX) || value === undefined) continue;
    attributes[name.slice(HEADER_PREFIX.length)] = headerText(Array.isArray(value) ? value.join(",") : value);
  }
  if (headers["content-type"] !== undefined) attributes.datacontenttype = headers["content-type"];
  if (headers.traceparent !== undefined) attributes.traceparent = headers.traceparent.toString();
  return attributes;
}

/**
 * The message that publishes a received event as it came: its id, source, time, subject,
 * dataschema and extensions kept, its data at the version it was decoded as. A missing `time`
 * (optional in CloudEvents) is the time it was received.
 */
export function receivedMessage(service: ServiceDef, event: EvgenEvent): OutgoingMessage {
  const def = service.events[event.type]!;
  const attributes: CloudEventAttributes = {
    id: event.id,
    type: event.type,
    source: event.source,
    specversion: "1.0",
    time: event.time ?? new Date().toISOString(),
    dataversion: String(event.dataversion),
    dataschema: event.dataschema ?? dataschemaOf(event.type, event.dataversion),
    datacontenttype: "application/json",
  };
  if (isValidTraceparent(event.traceparent)) attributes.traceparent = event.traceparent;
  if (event.subject !== undefined) attributes.subject = event.subject;
  if (event.extensions !== undefined) attributes.extensions = event.extensions;
  const payload = event.data as Record<string, unknown>;
  const message: OutgoingMessage = { attributes, topic: def.topic, body: Buffer.from(JSON.stringify(payload)) };
  const keyField = def.key === undefined ? undefined : payload[def.key];
  if (keyField !== undefined && keyField !== null) message.key = String(keyField);
  return message;
}
