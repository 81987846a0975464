// Events as the official CloudEvents JS SDK (`cloudevents`) makes them, put on the wire the way its
// users do: Kafka records from its Kafka binding (binary or structured), and AMQP messages after
// the AMQP binding (the SDK has none): `cloudEvents_` (or `cloudEvents:`) application properties
// in binary mode, `application/cloudevents+json` in structured mode.
import { CloudEvent, Kafka, type CloudEventV1 } from "cloudevents";

export type ContentMode = "binary" | "structured";

/** What a test changes in the wire form after the SDK made it. */
export interface WireChanges {
  /** Attributes left out (the SDK always sets `time`; other SDKs do not). */
  omit?: string[];
  /** RabbitMQ binary mode: the prefix of attribute headers (`cloudEvents_` by default). */
  prefix?: "cloudEvents_" | "cloudEvents:";
  /** RabbitMQ binary mode: `time` as an AMQP timestamp (seconds) rather than a string. */
  timeAsTimestamp?: boolean;
}

export function sdkEvent(attributes: Partial<CloudEventV1<unknown>> & Record<string, unknown>): CloudEvent<unknown> {
  const event = new CloudEvent<unknown>({ source: "/sdk-producer", ...attributes } as CloudEventV1<unknown>);
  if (!event.validate()) throw new Error("the SDK refused the event");
  return event;
}

/** The JSON of an event with some attributes left out. */
function structuredJson(event: CloudEvent<unknown>, omit: string[]): string {
  const json = JSON.parse(event.toString()) as Record<string, unknown>;
  for (const name of omit) delete json[name];
  return JSON.stringify(json);
}

/** A record as kafkajs sends it: the SDK's message with unset headers left out and the value as text. */
export function sdkKafkaRecord(
  event: CloudEvent<unknown>,
  mode: ContentMode,
  { omit = [] }: WireChanges = {},
): { key?: string; value: string; headers: Record<string, string> } {
  const message = mode === "binary" ? Kafka.binary(event) : Kafka.structured(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && !omit.some((attribute) => name === `ce_${attribute}`)) headers[name] = String(value);
  }
  const value =
    mode === "structured"
      ? structuredJson(event, omit)
      : typeof message.value === "string"
        ? message.value
        : JSON.stringify(message.value);
  return { ...(message.key ? { key: String(message.key) } : {}), value, headers };
}

/** Body and properties of an AMQP message carrying the event (amqplib's publish options). */
export function sdkAmqpMessage(
  event: CloudEvent<unknown>,
  mode: ContentMode,
  { omit = [], prefix = "cloudEvents_", timeAsTimestamp = false }: WireChanges = {},
): { content: Buffer; options: { contentType?: string; headers: Record<string, unknown> } } {
  if (mode === "structured") {
    return {
      content: Buffer.from(structuredJson(event, omit)),
      options: { contentType: "application/cloudevents+json; charset=utf-8", headers: {} },
    };
  }
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.toJSON())) {
    if (value === undefined || omit.includes(name) || ["data", "data_base64", "datacontenttype"].includes(name))
      continue;
    headers[prefix + name] = String(value);
  }
  if (timeAsTimestamp && event.time) {
    headers[`${prefix}time`] = { "!": "timestamp", value: Math.floor(Date.parse(event.time) / 1000) };
  }
  return {
    content: Buffer.from(JSON.stringify(event.data)),
    options: { ...(event.datacontenttype ? { contentType: event.datacontenttype } : {}), headers },
  };
}
