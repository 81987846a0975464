// What `evgen import asyncapi` reads for Kafka: servers (host:port addresses, the default ones as
// kafka.brokers, named environments as kafka.servers), the group id of a receive operation, and
// the topic defaults of the channels' kafka bindings.
import { channelEntries } from "../../asyncapi/import/channels.js";
import type { ImportContext } from "../../asyncapi/import/context.js";
import { isObj, pointer, type Obj } from "../../asyncapi/import/json.js";
import { TOPIC_DEFAULTS } from "./spec.js";
import { BROKER_ADDRESS, KAFKA_TOPIC } from "../../spec/patterns.js";
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
  pattern: KAFKA_TOPIC,

  serverSettings(main, named) {
    const section: Record<string, unknown> = {};
    if (main.length > 0) section.brokers = main;
    if (named.size > 0) section.servers = Object.fromEntries(named);
    return Object.keys(section).length > 0 ? { kafka: section } : {};
  },
};

/** The receive operation's group id: its kafka binding's groupId, a const or a one-value enum. */
function groupIdOf(operation: Obj): { name: string } | undefined {
  const bindings = isObj(operation.bindings) ? operation.bindings : {};
  const groupId = isObj(bindings.kafka) ? bindings.kafka.groupId : undefined;
  if (!isObj(groupId)) return undefined;
  const value =
    groupId.const ?? (Array.isArray(groupId.enum) && groupId.enum.length === 1 ? groupId.enum[0] : undefined);
  return typeof value === "string" ? { name: value } : undefined;
}

/** kafka.topicDefaults, from the partitions and replicas of the topics' kafka bindings. */
function topicDefaults(ctx: ImportContext): Obj | undefined {
  const found = new Map<string, { partitions?: number; replicationFactor?: number }>();
  for (const { path, channel } of channelEntries(ctx)) {
    const binding = isObj(channel.bindings) && isObj(channel.bindings.kafka) ? channel.bindings.kafka : undefined;
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
