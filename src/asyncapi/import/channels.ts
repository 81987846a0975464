// Channels: the messages they hold (every message is found here first) and their bindings.
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Obj } from "./json.js";

export function channelEntries(ctx: ImportContext): Array<{ id: string; path: string; channel: Obj }> {
  const channels = ctx.root.channels;
  if (!isObj(channels)) return [];
  return Object.entries(channels).flatMap(([id, value]) => {
    const resolved = ctx.deref(value, pointer("#/channels", id));
    return resolved && isObj(resolved.node) ? [{ id, path: resolved.path, channel: resolved.node }] : [];
  });
}

/** Every message into ctx.messages: those of the channels, then components/messages no channel lists. */
export function collectMessages(ctx: ImportContext): void {
  for (const { path, channel } of channelEntries(ctx)) {
    ctx.leftover(channel, path, ["address", "messages", "bindings"]);
    const address = typeof channel.address === "string" ? channel.address : undefined;
    if (address?.includes("{")) ctx.warn(pointer(path, "address"), "channel parameters are not imported");
    channelBindings(ctx, channel, path);
    if (!isObj(channel.messages)) continue;
    for (const [key, value] of Object.entries(channel.messages)) {
      const resolved = ctx.deref(value, pointer(path, "messages", key));
      if (!resolved || !isObj(resolved.node)) continue;
      const info = ctx.messages.get(resolved.path) ?? { pointer: resolved.path, message: resolved.node, channels: [] };
      info.channels.push([path, address]);
      ctx.messages.set(resolved.path, info);
    }
  }
  const components = isObj(ctx.root.components) ? ctx.root.components : {};
  if (!isObj(components.messages)) return;
  for (const [key, value] of Object.entries(components.messages)) {
    const path = pointer("#/components/messages", key);
    if (ctx.messages.has(path)) continue;
    const resolved = ctx.deref(value, path);
    if (!resolved || !isObj(resolved.node) || ctx.messages.has(resolved.path)) continue;
    ctx.messages.set(resolved.path, { pointer: resolved.path, message: resolved.node, channels: [] });
  }
}

function channelBindings(ctx: ImportContext, channel: Obj, path: string): void {
  if (!isObj(channel.bindings)) return;
  for (const [protocol, binding] of Object.entries(channel.bindings)) {
    const where = pointer(path, "bindings", protocol);
    if (!isObj(binding)) continue;
    if (protocol === "kafka") ctx.leftover(binding, where, ["topic", "partitions", "replicas", "bindingVersion"]);
    else if (protocol === "amqp") amqpChannelBinding(ctx, binding, where);
    else ctx.warn(where, `${protocol} bindings are not imported`);
  }
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
