// Channels: the messages they hold (every message is found here first) and their bindings.
import { readBindings } from "./bindings.js";
import { channelEntries } from "./channel-entries.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer } from "./json.js";

/** Every message into ctx.messages: those of the channels, then components/messages no channel lists. */
export function collectMessages(ctx: ImportContext): void {
  for (const { path, channel } of channelEntries(ctx)) {
    ctx.leftover(channel, path, ["address", "messages", "bindings"]);
    const address = typeof channel.address === "string" ? channel.address : undefined;
    if (address?.includes("{")) ctx.warn(pointer(path, "address"), "channel parameters are not imported");
    readBindings(ctx, "channel", channel, path);
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
