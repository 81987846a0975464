// Messages -> `events:`: one event per type, a version per message, with description, key and topic.
import { brokerOf } from "../../broker/index.js";
import { KAFKA_TOPIC, RABBITMQ_NAME_MAX_BYTES, ROUTING_KEY } from "../../spec/patterns.js";
import type { FieldsSpec, FieldTypeSpec } from "../../spec/schema/field-type.js";
import type { ImportContext, MessageInfo } from "./context.js";
import { byKey, isObj, pointer, type Obj } from "./json.js";
import { messageFields } from "./message-fields.js";
import { messageIdentity } from "./message-identity.js";

interface VersionEntry {
  info: MessageInfo;
  version: number;
  fields: FieldsSpec;
}

export function events(ctx: ImportContext): Record<string, Obj> {
  // Every message's identity first: named types must not take the TypeScript names of events.
  const identified = [...ctx.messages.values()].flatMap((info) => {
    const identity = messageIdentity(ctx, info);
    return identity ? [{ info, ...identity }] : [];
  });
  for (const { type, version } of identified) ctx.reserveEventNames(type, version);
  const byType = new Map<string, VersionEntry[]>();
  for (const { info, type, version } of identified) {
    const list = byType.get(type) ?? [];
    if (list.some((entry) => entry.version === version)) {
      ctx.warn(info.pointer, `a second message for ${type} version ${version}: not imported`);
      continue;
    }
    info.type = type;
    info.version = version;
    list.push({ info, version, fields: messageFields(ctx, info) });
    byType.set(type, list);
  }
  const result: Record<string, Obj> = {};
  for (const [type, list] of byKey(byType)) result[type] = event(ctx, type, list);
  if (Object.keys(result).length === 0) ctx.warn("#/components/messages", "no message could be imported as an event");
  return result;
}

function event(ctx: ImportContext, type: string, list: VersionEntry[]): Obj {
  list.sort((a, b) => a.version - b.version);
  const event: Obj = {};
  const description = eventDescription(
    ctx,
    list.map((entry) => entry.info),
  );
  if (description !== undefined) event.description = description;
  const key = eventKey(ctx, type, list);
  if (key !== undefined) event.key = key;
  const infos = list.map((entry) => entry.info);
  // Only the keys the service's broker reads: the spec rejects the others.
  const reads = brokerOf(ctx.broker).ownKeys.event;
  const topic = reads.includes("topic") ? eventTopic(ctx, type, infos) : undefined;
  if (topic !== undefined) event.topic = topic;
  const routingKey = reads.includes("routingKey") ? eventRoutingKey(ctx, type, infos) : undefined;
  if (routingKey !== undefined) event.routingKey = routingKey;
  if (list.length === 1 && list[0]!.version === 1) event.schema = list[0]!.fields;
  // A Map keeps the version keys numbers, so they print as `1:` rather than `"1":`.
  else event.versions = new Map(list.map((entry) => [entry.version, entry.fields]));
  return event;
}

function eventDescription(ctx: ImportContext, infos: MessageInfo[]): string | undefined {
  const texts = infos.map(({ message }) =>
    typeof message.description === "string"
      ? message.description
      : typeof message.summary === "string"
        ? message.summary
        : undefined,
  );
  const chosen = texts.filter((t) => t !== undefined).at(-1);
  infos.forEach((info, i) => {
    if (texts[i] !== undefined && texts[i] !== chosen) {
      ctx.warn(
        pointer(info.pointer, "description"),
        "versions differ in description: the latest version's is imported",
      );
    }
  });
  return chosen;
}

const KEY_SHORTHANDS = ["string", "number", "integer", "uuid", "email", "url", "datetime", "date"];

/** A required string or number field (shorthand or object). */
function isKeyType(type: FieldTypeSpec | undefined): boolean {
  return typeof type === "string"
    ? KEY_SHORTHANDS.includes(type)
    : type !== undefined && !Array.isArray(type.type) && ["string", "number", "integer"].includes(String(type.type));
}

/** The key: x-evgen-key, kept only when it names a required string/number field of every version. */
function eventKey(ctx: ImportContext, type: string, list: VersionEntry[]): string | undefined {
  const keys = [
    ...new Set(list.map((e) => e.info.message["x-evgen-key"]).filter((k) => typeof k === "string")),
  ] as string[];
  if (keys.length === 0) return undefined;
  const key = keys.at(-1)!;
  const usable = list.every(({ fields }) => isKeyType(fields[key]));
  if (!usable || keys.length > 1) {
    ctx.warn(
      pointer(list.at(-1)!.info.pointer, "x-evgen-key"),
      `key '${key}' of ${type} is not a required string or number field of every version: not imported`,
    );
    return undefined;
  }
  return key;
}

function eventTopic(ctx: ImportContext, type: string, infos: MessageInfo[]): string | undefined {
  const addresses = [
    ...new Set(
      infos.flatMap((info) => info.channels.map(([path, address]) => kafkaTopicBinding(ctx, path) ?? address)),
    ),
  ].filter((a): a is string => a !== undefined);
  if (addresses.length === 0) return undefined;
  if (addresses.length > 1) {
    ctx.warn(
      infos[0]!.pointer,
      `${type} is on several channels (${addresses.join(", ")}): evgen publishes an event to one topic; '${addresses[0]}' is imported`,
    );
  }
  const topic = addresses[0]!;
  if (!KAFKA_TOPIC.test(topic)) {
    ctx.warn(infos[0]!.channels[0]![0], `'${topic}' is not a Kafka topic name: the event keeps its default topic`);
    return undefined;
  }
  return topic === type ? undefined : topic;
}

/**
 * RabbitMQ: the routing keys (amqp operation binding `cc`) of the operations carrying it, else the
 * address of its channels that are routing keys (not queues, not the exchange's own name).
 */
function eventRoutingKey(ctx: ImportContext, type: string, infos: MessageInfo[]): string | undefined {
  const channels = infos
    .flatMap((info) => info.channels)
    .filter(([path, address]) => {
      const binding = amqpBinding(ctx, path);
      return binding?.is !== "queue" && !(isObj(binding?.exchange) && binding.exchange.name === address);
    });
  const cc = infos.flatMap((info) => ctx.routingKeys.get(info.pointer) ?? []);
  const keys = [...new Set(cc.length > 0 ? cc : channels.map(([, address]) => address))].filter(
    (a): a is string => a !== undefined,
  );
  if (channels.length === 0 && cc.length > 0) channels.push([infos[0]!.pointer, undefined]);
  if (keys.length === 0) return undefined;
  if (keys.length > 1) {
    ctx.warn(
      infos[0]!.pointer,
      `${type} is published with several routing keys (${keys.join(", ")}): evgen publishes an event with one; '${keys[0]}' is imported`,
    );
  }
  const key = keys[0]!;
  if (!ROUTING_KEY.test(key) || Buffer.byteLength(key) > RABBITMQ_NAME_MAX_BYTES) {
    ctx.warn(
      channels[0]?.[0] ?? infos[0]!.pointer,
      `'${key}' is not a routing key evgen publishes with (no wildcards or parameters): the event keeps its type as routing key`,
    );
    return undefined;
  }
  return key === type ? undefined : key;
}

function amqpBinding(ctx: ImportContext, channelPath: string): Obj | undefined {
  const found = ctx.nodeAt(channelPath);
  const channel = isObj(found) ? found : {};
  return isObj(channel.bindings) && isObj(channel.bindings.amqp) ? channel.bindings.amqp : undefined;
}

function kafkaTopicBinding(ctx: ImportContext, channelPath: string): string | undefined {
  const found = ctx.nodeAt(channelPath);
  const channel = isObj(found) ? found : {};
  const binding = isObj(channel.bindings) && isObj(channel.bindings.kafka) ? channel.bindings.kafka : undefined;
  return binding && typeof binding.topic === "string" ? binding.topic : undefined;
}
