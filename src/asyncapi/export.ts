// IR -> AsyncAPI 3.1 document. The broker's descriptor gives its servers, channels, bindings and
// header names (src/broker/<broker>-asyncapi.ts). A message per event version, its payload a JSON
// Schema under components/schemas; operations `send` for every event and `receive` for every consumer.
// Facts AsyncAPI has no field for travel as `x-evgen-*` extensions, which `import` reads back;
// nothing is written that `import` would have to drop (no generated titles or descriptions).
import { stringify } from "yaml";
import { allBrokers, brokerOf } from "../broker/index.js";
import { durationText } from "../docs/text.js";
import { parseDuration } from "../spec/duration.js";
import { DEFAULT_IDEMPOTENCY_TTL } from "../spec/schema/consumer.js";
import type {
  IR,
  IRCircuitBreaker,
  IRConsumer,
  IREvent,
  IRField,
  IRFilter,
  IRVersion,
  IRWindow,
  JsonValue,
} from "../ir/types.js";
import { eventsOf, messageId, ref, type JsonObject } from "./document.js";
import { fieldSchema } from "./field-schema.js";

export type { JsonObject };

export const ASYNCAPI_VERSION = "3.1.0";

/** The AsyncAPI document of a spec, as YAML (default) or JSON text. */
export function renderAsyncApi(ir: IR, format: "yaml" | "json" = "yaml"): string {
  const document = toAsyncApi(ir);
  return format === "json"
    ? `${JSON.stringify(document, null, 2)}\n`
    : stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function toAsyncApi(ir: IR): JsonObject {
  const document: JsonObject = {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: ir.service,
      version: "1.0.0",
      ...(ir.description ? { description: ir.description } : {}),
      "x-evgen-source": ir.source,
    },
    defaultContentType: "application/json",
    servers: brokerOf(ir.broker).asyncapi.servers(ir, serverKey),
    channels: brokerOf(ir.broker).asyncapi.channels(ir),
    operations: operations(ir),
    components: {
      schemas: schemas(ir),
      messages: messages(ir),
    },
  };
  return document;
}

/**
 * A named server's key: never one of the keys every broker gives its default servers (kafka,
 * kafka-<n>, rabbitmq), which import reads as the defaults.
 */
const serverKey = (name: string) =>
  allBrokers().some((broker) => broker.asyncapi.defaultServerKey.test(name)) ? `${name}-server` : name;

function operations(ir: IR): JsonObject {
  const { asyncapi } = brokerOf(ir.broker);
  const result: JsonObject = {};
  for (const event of ir.events) {
    const channel = asyncapi.sendChannel(event);
    const latest = event.versions.at(-1)!;
    result[`send.${event.type}`] = {
      action: "send",
      channel: ref("channels", channel),
      messages: [ref("channels", channel, "messages", messageId(latest))],
    };
  }
  for (const consumer of ir.consumers) {
    const events = eventsOf(ir, consumer.on);
    const byChannel = asyncapi.receiveChannels(ir, consumer, events);
    const bindings = asyncapi.receiveBindings(consumer);
    for (const [channel, onChannel] of byChannel) {
      const id = byChannel.length === 1 ? `receive.${consumer.name}` : `receive.${consumer.name}.${channel}`;
      result[id] = {
        action: "receive",
        ...(consumer.description ? { description: consumer.description } : {}),
        channel: ref("channels", channel),
        messages: onChannel.flatMap((e) => e.versions.map((v) => ref("channels", channel, "messages", messageId(v)))),
        ...(bindings ? { bindings } : {}),
        "x-evgen-consumer": consumerExtension(ir, consumer),
      };
    }
  }
  return result;
}

/** A filter path's conditions as the spec writes them: a value, a list (one of), or conditions. */
function filterSpec({ path: _path, values, not, ...conditions }: IRFilter): JsonValue {
  if (values) return values.length === 1 ? values[0]! : values;
  return { ...(not ? { not: not.length === 1 ? not[0]! : not } : {}), ...conditions };
}

/** A circuit breaker as the spec writes it: the rate as a percentage, durations as text. */
function circuitBreakerSpec(breaker: IRCircuitBreaker): JsonObject {
  return {
    failureRate: `${Math.round(breaker.failureRate * 1e6) / 1e4}%`,
    minimumCalls: breaker.minimumCalls,
    window: durationText(breaker.windowMs),
    openFor: durationText(breaker.openForMs),
  };
}

/** A window as the spec writes it (docs/spec.md, windowed aggregation). */
function windowSpec(window: IRWindow): JsonObject {
  return { size: durationText(window.sizeMs), by: window.by, grace: durationText(window.graceMs), store: window.store };
}

/** The consumer as the spec writes it (durations as text), with the broker names it derives. */
function consumerExtension(ir: IR, consumer: IRConsumer): JsonObject {
  const { attempts, delayMs, backoff, maxDelayMs } = consumer.retry;
  return {
    name: consumer.name,
    on: consumer.on,
    emits: consumer.emits,
    ...(consumer.filter.length > 0
      ? {
          filter: Object.fromEntries(consumer.filter.map((f) => [f.path, filterSpec(f)] as [string, JsonValue])),
        }
      : {}),
    concurrency: consumer.concurrency,
    timeout: durationText(consumer.timeoutMs),
    retry: {
      attempts,
      delay: durationText(delayMs),
      backoff,
      maxDelay: durationText(maxDelayMs),
      ...brokerOf(ir.broker).asyncapi.retryKeys(consumer.retry),
    },
    ...(consumer.circuitBreaker ? { circuitBreaker: circuitBreakerSpec(consumer.circuitBreaker) } : {}),
    deadLetter: consumer.deadLetter,
    // A window consumer's window store records the events added: it has no idempotency to say.
    ...(consumer.window
      ? { window: windowSpec(consumer.window) }
      : {
          // The short form while the ttl is the default, as a person would write the spec.
          idempotency:
            consumer.idempotencyTtlMs === parseDuration(DEFAULT_IDEMPOTENCY_TTL)
              ? consumer.idempotency
              : { store: consumer.idempotency, ttl: durationText(consumer.idempotencyTtlMs) },
        }),
    group: consumer.group,
    retryQueues: consumer.retryQueues,
    ...(consumer.deadLetter ? { deadLetterQueue: consumer.deadLetterQueue } : {}),
    ...(consumer.replayTopic ? { replayTopic: consumer.replayTopic } : {}),
  };
}

function schemas(ir: IR): JsonObject {
  const result: JsonObject = {};
  for (const type of [...ir.types].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    result[type.name] = objectSchema(type.fields, type.description);
  }
  for (const event of ir.events) {
    for (const version of event.versions) {
      result[version.typeName] = objectSchema(version.fields);
    }
  }
  return result;
}

function messages(ir: IR): JsonObject {
  const { asyncapi } = brokerOf(ir.broker);
  const result: JsonObject = {};
  for (const event of ir.events) {
    for (const version of event.versions) {
      result[messageId(version)] = {
        name: event.type,
        title: `${event.type} v${version.version}`,
        ...(event.description ? { description: event.description } : {}),
        contentType: "application/json",
        headers: cloudEventsHeaders(ir, event, version),
        payload: ref("components", "schemas", version.typeName),
        bindings: asyncapi.messageBindings(event, version),
        "x-evgen-event": event.type,
        "x-evgen-version": version.version,
        ...(event.key !== undefined ? { "x-evgen-key": event.key } : {}),
      };
    }
  }
  return result;
}

/** CloudEvents 1.0 binary mode: the attributes as headers (docs/wire-format.md). */
function cloudEventsHeaders(ir: IR, event: IREvent, version: IRVersion): JsonObject {
  const { headerPrefix: prefix, extraHeaders } = brokerOf(ir.broker).asyncapi;
  const properties: JsonObject = {
    [`${prefix}id`]: { type: "string", description: "Event id, unique per source." },
    [`${prefix}type`]: { type: "string", const: event.type },
    [`${prefix}source`]: { type: "string", const: ir.source },
    [`${prefix}specversion`]: { type: "string", const: "1.0" },
    [`${prefix}time`]: { type: "string", format: "date-time" },
    [`${prefix}dataversion`]: { type: "string", const: String(version.version) },
    // The form the runtime's producers write (dataschemaOf in templates/runtime/core/cloudevents.ts).
    [`${prefix}dataschema`]: { type: "string", const: `urn:evgen:${event.type}:v${version.version}` },
    ...extraHeaders,
    traceparent: { type: "string", description: "W3C trace context, when tracing." },
  };
  const required = Object.keys(properties).filter((name) => name !== "traceparent");
  return { type: "object", properties, required };
}

/** A fields map as an open JSON Schema object (unknown fields are allowed: forward compatibility). */
function objectSchema(fields: IRField[], description?: string): JsonObject {
  const required = fields.filter((f) => !f.optional).map((f) => f.name);
  return {
    type: "object",
    ...(description ? { description } : {}),
    properties: Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f.type)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: true,
  };
}
