// The event types an operation (or its reply) carries: its messages, else all of its channel's.
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Json, type Obj } from "./json.js";

export function operationEvents(ctx: ImportContext, operation: Obj, path: string): string[] {
  return messageTypes(ctx, messageRefs(ctx, operation, path));
}

export function replyEvents(ctx: ImportContext, operation: Obj, path: string): string[] {
  if (operation.reply === undefined) return [];
  const reply = ctx.deref(operation.reply, pointer(path, "reply"));
  if (!reply || !isObj(reply.node)) return [];
  ctx.leftover(reply.node, reply.path, ["channel", "messages"]);
  return messageTypes(ctx, messageRefs(ctx, reply.node, reply.path));
}

/** [message ref, where it is] of an operation or reply. */
export function messageRefs(ctx: ImportContext, node: Obj, path: string): Array<[Json, string]> {
  const refs: Array<[Json, string]> = Array.isArray(node.messages)
    ? node.messages.map((m, i) => [m, pointer(path, "messages", i)])
    : [];
  if (refs.length > 0) return refs;
  const channel = ctx.deref(node.channel, pointer(path, "channel"));
  if (channel && isObj(channel.node) && isObj(channel.node.messages)) {
    for (const [key, message] of Object.entries(channel.node.messages))
      refs.push([message, pointer(channel.path, "messages", key)]);
  }
  return refs;
}

function messageTypes(ctx: ImportContext, refs: Array<[Json, string]>): string[] {
  const types = new Set<string>();
  for (const [ref, where] of refs) {
    const resolved = ctx.deref(ref, where);
    if (!resolved) continue;
    const type = ctx.messages.get(resolved.path)?.type;
    if (type) types.add(type);
  }
  return [...types].sort();
}
