// What `evgen import asyncapi` reads for RabbitMQ: AMQP servers (a URL each, credentials never
// appear in AsyncAPI; the first default one as rabbitmq.url, named environments as
// rabbitmq.servers), the routing keys of send operations, the queue of a receive operation's
// channel, and the exchange, queue type and prefetch of the channels' amqp bindings.
import { channelEntries } from "../../asyncapi/import/channels.js";
import type { ImportContext } from "../../asyncapi/import/context.js";
import { isObj, pointer, type Obj } from "../../asyncapi/import/json.js";
import { collectRoutingKeys } from "../../asyncapi/import/operation-events.js";
import { defaultExchange } from "../../ir/names.js";
import { RABBITMQ_DEFAULTS } from "./spec.js";
import { QUEUE_NAME } from "../../spec/patterns.js";
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
  pattern: QUEUE_NAME,

  serverSettings(main, named, warn) {
    const section: Record<string, unknown> = {};
    if (main[0] !== undefined) section.url = main[0];
    for (const [name, urls] of named) {
      if (urls.length > 1) warn("#/servers", `server '${name}' has several AMQP URLs: the first is imported`);
    }
    if (named.size > 0) section.servers = Object.fromEntries([...named].map(([name, urls]) => [name, urls[0]!]));
    return Object.keys(section).length > 0 ? { rabbitmq: section } : {};
  },
};

/** The queue of a receive operation's channel (amqp binding `is: queue`); evgen's queues are durable and shared. */
function queueOf(ctx: ImportContext, operation: Obj, path: string): { name: string; path: string } | undefined {
  const channel = ctx.deref(operation.channel, pointer(path, "channel"));
  if (!channel || !isObj(channel.node)) return undefined;
  const binding =
    isObj(channel.node.bindings) && isObj(channel.node.bindings.amqp) ? channel.node.bindings.amqp : undefined;
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

/** rabbitmq.exchange, from the channels' amqp bindings, unless it is the default. */
function exchange(ctx: ImportContext): string | undefined {
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
