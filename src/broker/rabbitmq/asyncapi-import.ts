// What `evgen import asyncapi` reads for RabbitMQ: AMQP servers (a URL each, credentials never
// appear in AsyncAPI; the first default one as rabbitmq.url, named environments as
// rabbitmq.servers), the routing keys of send operations, the queue of a receive operation's
// channel, and the exchange, queue type and prefetch of the channels' amqp bindings.
import { channelEntries } from "../../asyncapi/import/channel-entries.js";
import type { ImportContext, MessageInfo } from "../../asyncapi/import/context.js";
import { bindingOf, isObj, pointer, type Obj } from "../../asyncapi/import/json.js";
import { messageRefs } from "../../asyncapi/import/operation-events.js";
import { defaultExchange } from "../../ir/names.js";
import { RABBITMQ_DEFAULTS } from "./defaults.js";
import { QUEUE_NAME, RABBITMQ_NAME_MAX_BYTES, ROUTING_KEY } from "../../spec/patterns.js";
import type { BrokerAsyncApiImport } from "../types.js";

export const rabbitmqAsyncApiImport: BrokerAsyncApiImport = {
  protocol: "amqp",
  serves: (protocol) => protocol === "amqp" || protocol === "amqps",

  serverAddress({ protocol, host, pathname }, path, warn) {
    const vhostPath = typeof pathname === "string" ? pathname : "";
    const candidate = `${protocol}://${host}${vhostPath && !vhostPath.startsWith("/") ? "/" : ""}${vhostPath}`;
    try {
      new URL(candidate);
      return candidate;
    } catch {
      warn(path, `'${candidate}' is not a valid AMQP URL`);
      return undefined;
    }
  },

  beforeEvents: collectRoutingKeys,
  bindingSettings(ctx) {
    const name = exchange(ctx);
    return { ...(name ? { exchange: name } : {}), ...queueSettings(ctx) };
  },
  consumerWireName: queueOf,
  // amq.* names are the broker's own.
  canName: (name) =>
    QUEUE_NAME.test(name) && !name.startsWith("amq.") && Buffer.byteLength(name) <= RABBITMQ_NAME_MAX_BYTES,

  serverSettings(main, named, warn) {
    const section: Record<string, unknown> = {};
    if (main[0] !== undefined) section.url = main[0];
    for (const [name, urls] of named) {
      if (urls.length > 1) warn("#/servers", `server '${name}' has several AMQP URLs: the first is imported`);
    }
    if (named.size > 0) section.servers = Object.fromEntries([...named].map(([name, urls]) => [name, urls[0]!]));
    return Object.keys(section).length > 0 ? { rabbitmq: section } : {};
  },

  eventRouting(ctx, type, infos): Record<string, string> {
    const routingKey = eventRoutingKey(ctx, type, infos);
    return routingKey === undefined ? {} : { routingKey };
  },
  bindings: {
    channel: amqpChannelBinding,
    operation: (ctx, binding, where) => ctx.leftover(binding, where, ["ack", "cc", "bindingVersion"]),
    message: (ctx, binding, where) =>
      ctx.leftover(binding, where, ["contentEncoding", "messageType", "bindingVersion"]),
  },
};

/** The queue of a receive operation's channel (amqp binding `is: queue`); evgen's queues are durable and shared. */
function queueOf(ctx: ImportContext, operation: Obj, path: string): { name: string; path: string } | undefined {
  const channel = ctx.deref(operation.channel, pointer(path, "channel"));
  if (!channel || !isObj(channel.node)) return undefined;
  const binding = bindingOf(channel.node, "amqp");
  if (binding?.is !== "queue") return undefined;
  const queue = isObj(binding.queue) ? binding.queue : {};
  const where = pointer(channel.path, "bindings", "amqp", "queue");
  const name =
    typeof queue.name === "string"
      ? queue.name
      : typeof channel.node.address === "string"
        ? channel.node.address
        : undefined;
  if (queue.durable === false) ctx.warn(pointer(where, "durable"), "evgen's queues are durable: imported as durable");
  if (queue.exclusive === true)
    ctx.warn(
      pointer(where, "exclusive"),
      "evgen's queues are shared by every instance of the service: imported as not exclusive",
    );
  if (queue.autoDelete === true)
    ctx.warn(pointer(where, "autoDelete"), "evgen's queues outlive their consumers: imported as not auto-deleted");
  return name === undefined ? undefined : { name, path: where };
}

/** rabbitmq.queueType and rabbitmq.prefetch, as export writes them into the queues' amqp bindings. */
function queueSettings(ctx: ImportContext): Obj {
  const settings: Obj = {};
  for (const { path, channel } of channelEntries(ctx)) {
    const binding = bindingOf(channel, "amqp");
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

/** rabbitmq.exchange, from the channels' amqp bindings, unless it is the default. */
function exchange(ctx: ImportContext): string | undefined {
  const names = new Map<string, string>();
  for (const { path, channel } of channelEntries(ctx)) {
    const binding = bindingOf(channel, "amqp");
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
  return bindingOf(ctx.nodeAt(channelPath), "amqp");
}

function amqpChannelBinding(ctx: ImportContext, binding: Obj, where: string): void {
  ctx.leftover(binding, where, ["is", "exchange", "queue", "bindingVersion"]);
  if (isObj(binding.exchange)) {
    ctx.leftover(binding.exchange, pointer(where, "exchange"), ["name", "type", "durable", "autoDelete", "vhost"]);
    if (binding.exchange.type !== undefined && binding.exchange.type !== "topic") {
      ctx.warn(pointer(where, "exchange", "type"), "evgen publishes to a topic exchange");
    }
  }
  if (isObj(binding.queue)) {
    ctx.leftover(binding.queue, pointer(where, "queue"), ["name", "durable", "exclusive", "autoDelete", "vhost"]);
  }
}

/** Routing keys of each message (ctx.routingKeys), from the amqp `cc` of the operations carrying it. */
function collectRoutingKeys(ctx: ImportContext): void {
  const operations = isObj(ctx.root.operations) ? ctx.root.operations : {};
  for (const [id, value] of Object.entries(operations)) {
    if (!isObj(value)) continue;
    const cc = bindingOf(value, "amqp")?.cc;
    if (!Array.isArray(cc) || !cc.every((key) => typeof key === "string") || cc.length === 0) continue;
    const path = pointer("#/operations", id);
    for (const [ref, where] of messageRefs(ctx, value, path)) {
      const resolved = ctx.deref(ref, where);
      if (resolved)
        ctx.routingKeys.set(resolved.path, [...(ctx.routingKeys.get(resolved.path) ?? []), ...(cc as string[])]);
    }
  }
}
