// Channel bindings -> the broker sections' settings: Kafka topic defaults, the RabbitMQ exchange.
import { defaultExchange } from "../../ir/names.js";
import { RABBITMQ_DEFAULTS, TOPIC_DEFAULTS } from "../../spec/defaults.js";
import { channelEntries } from "./channels.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Obj } from "./json.js";

export function topicDefaults(ctx: ImportContext): Obj | undefined {
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

/** rabbitmq.queueType and rabbitmq.prefetch, as export writes them into the queues' amqp bindings. */
export function queueSettings(ctx: ImportContext): Obj {
  const settings: Obj = {};
  for (const { path, channel } of channelEntries(ctx)) {
    const binding = isObj(channel.bindings) && isObj(channel.bindings.amqp) ? channel.bindings.amqp : undefined;
    if (!binding) continue;
    for (const key of ["queueType", "prefetch"] as const) {
      const value = binding[`x-evgen-${key}`];
      if (value === undefined || value === RABBITMQ_DEFAULTS[key]) continue;
      if (settings[key] !== undefined && settings[key] !== value) {
        ctx.warn(
          pointer(path, "bindings", "amqp", `x-evgen-${key}`),
          `queues differ in ${key}: evgen has one for all; '${String(settings[key])}' is imported`,
        );
      } else settings[key] = value;
    }
  }
  return settings;
}

export function exchange(ctx: ImportContext): string | undefined {
  const names = new Map<string, string>();
  for (const { path, channel } of channelEntries(ctx)) {
    const binding = isObj(channel.bindings) && isObj(channel.bindings.amqp) ? channel.bindings.amqp : undefined;
    const name = binding && isObj(binding.exchange) ? binding.exchange.name : undefined;
    if (typeof name === "string" && name !== "") names.set(path, name);
  }
  const distinct = [...new Set(names.values())];
  if (distinct.length > 1) {
    ctx.warn("#/channels", `several exchanges (${distinct.join(", ")}): evgen uses one; '${distinct[0]}' is imported`);
  }
  const exchange = distinct[0];
  return exchange === undefined || exchange === defaultExchange(ctx.service) ? undefined : exchange;
}
