// What `evgen import asyncapi` reads for Kafka: servers (host:port addresses, the default ones as
// kafka.brokers, named environments as kafka.servers), the group id of a receive operation, and
// the topic defaults of the channels' kafka bindings.
import { channelEntries } from "../../asyncapi/import/channel-entries.js";
import type { ImportContext, MessageInfo } from "../../asyncapi/import/context.js";
import { bindingOf, isObj, pointer, type Obj } from "../../asyncapi/import/json.js";
import { TOPIC_DEFAULTS } from "./defaults.js";
import { BROKER_ADDRESS, KAFKA_TOPIC, KAFKA_TOPIC_MAX } from "../../spec/patterns.js";
import type { BrokerAsyncApiImport } from "../types.js";

export const kafkaAsyncApiImport: BrokerAsyncApiImport = {
  protocol: "kafka",
  serves: (protocol) => protocol.startsWith("kafka"),

  serverAddress({ host, pathname }, path, warn) {
    if (pathname !== undefined) warn(pointer(path, "pathname"), "Kafka servers have no path");
    if (BROKER_ADDRESS.test(host)) return host;
    warn(pointer(path, "host"), `'${host}' is not a host:port address`);
    return undefined;
  },

  beforeEvents: () => undefined,
  bindingSettings(ctx) {
    const defaults = topicDefaults(ctx);
    return defaults ? { topicDefaults: defaults } : {};
  },
  consumerWireName: (_ctx, operation) => groupIdOf(operation),
  canName: (name) => KAFKA_TOPIC.test(name) && name.length <= KAFKA_TOPIC_MAX,

  serverSettings(main, named) {
    const section: Record<string, unknown> = {};
    if (main.length > 0) section.brokers = main;
    if (named.size > 0) section.servers = Object.fromEntries(named);
    return Object.keys(section).length > 0 ? { kafka: section } : {};
  },

  eventRouting(ctx, type, infos): Record<string, string> {
    const topic = eventTopic(ctx, type, infos);
    return topic === undefined ? {} : { topic };
  },
  bindings: {
    channel: (ctx, binding, where) =>
      ctx.leftover(binding, where, ["topic", "partitions", "replicas", "bindingVersion"]),
    operation: (ctx, binding, where) => ctx.leftover(binding, where, ["groupId", "bindingVersion"]),
    message(ctx, binding, where, message) {
      ctx.leftover(binding, where, ["key", "bindingVersion"]);
      if (binding.key !== undefined && typeof message["x-evgen-key"] !== "string") {
        ctx.warn(
          pointer(where, "key"),
          "the key schema does not name a payload field: set the event's key in evgen.yaml",
        );
      }
    },
  },
  groupNamed(operation) {
    const groupId = groupIdSchema(operation);
    return groupId && Array.isArray(groupId.enum) && typeof groupId.enum[0] === "string" ? groupId.enum[0] : undefined;
  },
};

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

function kafkaTopicBinding(ctx: ImportContext, channelPath: string): string | undefined {
  const topic = bindingOf(ctx.nodeAt(channelPath), "kafka")?.topic;
  return typeof topic === "string" ? topic : undefined;
}

/** The schema of a receive operation's group id (its kafka binding's groupId). */
function groupIdSchema(operation: Obj): Obj | undefined {
  const groupId = bindingOf(operation, "kafka")?.groupId;
  return isObj(groupId) ? groupId : undefined;
}

/** The receive operation's group id: its kafka binding's groupId, a const or a one-value enum. */
function groupIdOf(operation: Obj): { name: string } | undefined {
  const groupId = groupIdSchema(operation);
  if (!groupId) return undefined;
  const value =
    groupId.const ?? (Array.isArray(groupId.enum) && groupId.enum.length === 1 ? groupId.enum[0] : undefined);
  return typeof value === "string" ? { name: value } : undefined;
}

/** kafka.topicDefaults, from the partitions and replicas of the topics' kafka bindings. */
function topicDefaults(ctx: ImportContext): Obj | undefined {
  const found = new Map<string, { partitions?: number; replicationFactor?: number }>();
  for (const { path, channel } of channelEntries(ctx)) {
    const binding = bindingOf(channel, "kafka");
    if (!binding) continue;
    const partitions = typeof binding.partitions === "number" ? binding.partitions : undefined;
    const replicationFactor = typeof binding.replicas === "number" ? binding.replicas : undefined;
    if (partitions !== undefined || replicationFactor !== undefined) found.set(path, { partitions, replicationFactor });
  }
  const distinct = [...new Set([...found.values()].map((v) => JSON.stringify(v)))];
  if (distinct.length === 0) return undefined;
  if (distinct.length > 1) {
    for (const path of [...found.keys()].slice(1)) {
      ctx.warn(
        pointer(path, "bindings", "kafka"),
        "topics differ in partitions or replicas: evgen has one setting for all; the first channel's is imported",
      );
    }
  }
  const first = JSON.parse(distinct[0]!) as Obj;
  const kept = Object.entries(first).filter(
    ([k, v]) => v !== undefined && v !== TOPIC_DEFAULTS[k as keyof typeof TOPIC_DEFAULTS],
  );
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}
