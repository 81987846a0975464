// IR -> AsyncAPI 3.1 document. Kafka: a channel per topic with the messages of its events;
// RabbitMQ: a channel per event (its routing key) on the service's topic exchange, and one per
// consumer queue. A message per event version, its payload a JSON Schema under
// components/schemas; operations `send` for every event and `receive` for every consumer.
// Facts AsyncAPI has no field for travel as `x-evgen-*` extensions, which `import` reads back;
// nothing is written that `import` would have to drop (no generated titles or descriptions).
import { stringify } from "yaml";
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
  IRType,
  IRVersion,
  IRWindow,
  JsonValue,
} from "../ir/types.js";

export type JsonObject = { [key: string]: JsonValue };

export const ASYNCAPI_VERSION = "3.1.0";
const KAFKA_BINDING = "0.5.0";
const AMQP_BINDING = "0.3.0";

const FORMAT: Record<string, string> = {
  uuid: "uuid",
  email: "email",
  url: "uri",
  datetime: "date-time",
  date: "date",
};

/** The AsyncAPI document of a spec, as YAML (default) or JSON text. */
export function renderAsyncApi(ir: IR, format: "yaml" | "json" = "yaml"): string {
  const document = toAsyncApi(ir);
  return format === "json"
    ? `${JSON.stringify(document, null, 2)}\n`
    : stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Message ids: the TS type name of the version (OrderCreatedV1), unique per spec. */
export const messageId = (version: IRVersion) => version.typeName;
const ref = (...path: string[]) => ({ $ref: `#/${path.map(pointerEscape).join("/")}` });
const pointerEscape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

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
    servers: servers(ir),
    channels: ir.broker === "kafka" ? kafkaChannels(ir) : rabbitChannels(ir),
    operations: operations(ir),
    components: {
      schemas: schemas(ir),
      messages: messages(ir),
    },
  };
  return document;
}

/** The default brokers (or URL), then each named server, marked x-evgen-server so import groups them back. */
function servers(ir: IR): JsonObject {
  if (ir.broker === "kafka") {
    const kafkaServers = (base: string, brokers: string[], named?: string) =>
      brokers.map((host, i) => [
        brokers.length === 1 ? base : `${base}-${i + 1}`,
        { host, protocol: "kafka", ...(named ? { "x-evgen-server": named } : {}) },
      ]);
    return Object.fromEntries([
      ...kafkaServers("kafka", ir.kafka.brokers),
      ...Object.entries(ir.kafka.servers ?? {}).flatMap(([name, brokers]) =>
        kafkaServers(serverKey(name), brokers, name),
      ),
    ]);
  }
  return Object.fromEntries([
    ["rabbitmq", amqpServer(ir.rabbitmq.url)],
    ...Object.entries(ir.rabbitmq.servers ?? {}).map(([name, url]) => [
      serverKey(name),
      { ...amqpServer(url), "x-evgen-server": name },
    ]),
  ]);
}

/** A named server's key; the default servers' keys (kafka, kafka-<n>, rabbitmq) stay theirs. */
const serverKey = (name: string) => (/^(kafka(-\d+)?|rabbitmq)$/.test(name) ? `${name}-server` : name);

// Credentials never leave the spec: AMQP_URL provides them at run time.
function amqpServer(text: string): JsonObject {
  const url = new URL(text);
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, ""));
  return {
    host: url.port ? `${url.hostname}:${url.port}` : url.hostname,
    protocol: url.protocol.replace(/:$/, ""),
    ...(vhost ? { pathname: `/${vhost}` } : {}),
  };
}

function vhostOf(ir: IR): string {
  const path = new URL(ir.rabbitmq.url).pathname.replace(/^\//, "");
  return path === "" ? "/" : decodeURIComponent(path);
}

/** Kafka: one channel per topic, holding every version of every event published to it. */
function kafkaChannels(ir: IR): JsonObject {
  const channels: JsonObject = {};
  for (const topic of ir.topics) {
    const onTopic = ir.events.filter((e) => e.topic === topic);
    channels[topic] = {
      address: topic,
      messages: Object.fromEntries(
        onTopic.flatMap((e) => e.versions.map((v) => [messageId(v), ref("components", "messages", messageId(v))])),
      ),
      bindings: {
        kafka: {
          topic,
          partitions: ir.kafka.partitions,
          replicas: ir.kafka.replicationFactor,
          bindingVersion: KAFKA_BINDING,
        },
      },
    };
  }
  return channels;
}

/** The key of a consumer's queue channel; "_" cannot occur in an event type, so it never clashes. */
export const queueChannelId = (consumer: IRConsumer) => `queue_${consumer.name}`;

/** RabbitMQ: a channel per event type (its routing key on the exchange) and one per consumer queue. */
function rabbitChannels(ir: IR): JsonObject {
  const vhost = vhostOf(ir);
  const channels: JsonObject = {};
  for (const event of ir.events) {
    channels[event.type] = {
      address: event.routingKey,
      messages: Object.fromEntries(
        event.versions.map((v) => [messageId(v), ref("components", "messages", messageId(v))]),
      ),
      bindings: {
        amqp: {
          is: "routingKey",
          exchange: { name: ir.rabbitmq.exchange, type: "topic", durable: true, autoDelete: false, vhost },
          bindingVersion: AMQP_BINDING,
        },
      },
    };
  }
  for (const consumer of ir.consumers) {
    channels[queueChannelId(consumer)] = {
      address: consumer.group,
      messages: Object.fromEntries(
        eventsOf(ir, consumer.on).flatMap((e) =>
          e.versions.map((v) => [messageId(v), ref("components", "messages", messageId(v))]),
        ),
      ),
      bindings: {
        amqp: {
          is: "queue",
          queue: { name: consumer.group, durable: true, exclusive: false, autoDelete: false, vhost },
          // Queue arguments and the channel's prefetch have no binding field of their own.
          "x-evgen-queueType": ir.rabbitmq.queueType,
          "x-evgen-prefetch": ir.rabbitmq.prefetch,
          bindingVersion: AMQP_BINDING,
        },
      },
    };
  }
  return channels;
}

function eventsOf(ir: IR, types: string[]): IREvent[] {
  return ir.events.filter((e) => types.includes(e.type));
}

function channelIdOf(ir: IR, event: IREvent): string {
  return ir.broker === "kafka" ? event.topic : event.type;
}

function operations(ir: IR): JsonObject {
  const result: JsonObject = {};
  for (const event of ir.events) {
    const channel = channelIdOf(ir, event);
    const latest = event.versions.at(-1)!;
    result[`send.${event.type}`] = {
      action: "send",
      channel: ref("channels", channel),
      messages: [ref("channels", channel, "messages", messageId(latest))],
    };
  }
  for (const consumer of ir.consumers) {
    const events = eventsOf(ir, consumer.on);
    const byChannel =
      ir.broker === "kafka"
        ? consumer.topics.map((topic) => [topic, events.filter((e) => e.topic === topic)] as const)
        : [[queueChannelId(consumer), events] as const];
    for (const [channel, onChannel] of byChannel) {
      const id = byChannel.length === 1 ? `receive.${consumer.name}` : `receive.${consumer.name}.${channel}`;
      result[id] = {
        action: "receive",
        ...(consumer.description ? { description: consumer.description } : {}),
        channel: ref("channels", channel),
        messages: onChannel.flatMap((e) => e.versions.map((v) => ref("channels", channel, "messages", messageId(v)))),
        ...(ir.broker === "kafka"
          ? {
              bindings: {
                kafka: { groupId: { type: "string", enum: [consumer.group] }, bindingVersion: KAFKA_BINDING },
              },
            }
          : {}),
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
  const { attempts, delayMs, backoff, maxDelayMs, mode } = consumer.retry;
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
      ...(ir.broker === "kafka" ? { mode } : {}),
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
  const result: JsonObject = {};
  for (const event of ir.events) {
    for (const version of event.versions) {
      const keyField = event.key === undefined ? undefined : version.fields.find((f) => f.name === event.key);
      result[messageId(version)] = {
        name: event.type,
        title: `${event.type} v${version.version}`,
        ...(event.description ? { description: event.description } : {}),
        contentType: "application/json",
        headers: cloudEventsHeaders(ir, event, version),
        payload: ref("components", "schemas", version.typeName),
        ...(ir.broker === "kafka"
          ? {
              bindings: {
                kafka: {
                  ...(keyField ? { key: fieldSchema(keyField.type) } : {}),
                  bindingVersion: KAFKA_BINDING,
                },
              },
            }
          : { bindings: { amqp: { messageType: event.type, bindingVersion: AMQP_BINDING } } }),
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
  const prefix = ir.broker === "kafka" ? "ce_" : "cloudEvents_";
  const properties: JsonObject = {
    [`${prefix}id`]: { type: "string", description: "Event id, unique per source." },
    [`${prefix}type`]: { type: "string", const: event.type },
    [`${prefix}source`]: { type: "string", const: ir.source },
    [`${prefix}specversion`]: { type: "string", const: "1.0" },
    [`${prefix}time`]: { type: "string", format: "date-time" },
    [`${prefix}dataversion`]: { type: "string", const: String(version.version) },
    // The form the runtime's producers write (dataschemaOf in templates/runtime/core/cloudevents.ts).
    [`${prefix}dataschema`]: { type: "string", const: `urn:evgen:${event.type}:v${version.version}` },
    ...(ir.broker === "kafka" ? { "content-type": { type: "string", const: "application/json" } } : {}),
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

/** An IR type as JSON Schema; named types are $refs into components/schemas. */
export function fieldSchema(type: IRType): JsonObject {
  const annotations: JsonObject = {
    ...(type.description !== undefined ? { description: type.description } : {}),
    ...(type.default !== undefined ? { default: type.default } : {}),
  };
  const withType = (name: string, rest: JsonObject): JsonObject => ({
    type: type.nullable ? [name, "null"] : name,
    ...rest,
    ...annotations,
  });
  // Keywords without a `type` of their own: null joins as another option.
  const nullableWrap = (schema: JsonObject): JsonObject =>
    type.nullable ? { anyOf: [schema, { type: "null" }], ...annotations } : { ...schema, ...annotations };
  switch (type.kind) {
    case "string":
      return withType("string", {
        ...(type.format ? { format: FORMAT[type.format]! } : {}),
        ...defined({ minLength: type.minLength, maxLength: type.maxLength, pattern: type.pattern }),
      });
    case "number":
      return withType(type.integer ? "integer" : "number", defined({ minimum: type.minimum, maximum: type.maximum }));
    case "boolean":
      return withType("boolean", {});
    case "null":
      return { type: "null", ...annotations };
    case "enum":
      return {
        enum: type.nullable && !type.values.includes(null) ? [...type.values, null] : type.values,
        ...annotations,
      };
    case "const":
      return nullableWrap({ const: type.value });
    case "array":
      return withType("array", {
        ...(type.items.kind === "unknown" ? {} : { items: fieldSchema(type.items) }),
        ...defined({ minItems: type.minItems, maxItems: type.maxItems }),
      });
    case "object":
      return withType("object", {
        ...(type.fields.length > 0
          ? { properties: Object.fromEntries(type.fields.map((f) => [f.name, fieldSchema(f.type)])) }
          : {}),
        ...(type.fields.some((f) => !f.optional)
          ? { required: type.fields.filter((f) => !f.optional).map((f) => f.name) }
          : {}),
      });
    case "ref":
      return nullableWrap(ref("components", "schemas", type.name));
    case "union":
      return {
        anyOf: [...type.options.map(fieldSchema), ...(type.nullable ? [{ type: "null" }] : [])],
        ...annotations,
      };
    case "unknown":
      return { ...annotations };
  }
}

function defined(values: Record<string, string | number | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as JsonObject;
}
