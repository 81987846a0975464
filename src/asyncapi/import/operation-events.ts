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

/** Routing keys of each message (ctx.routingKeys), from the amqp `cc` of the operations carrying it. */
export function collectRoutingKeys(ctx: ImportContext): void {
  const operations = isObj(ctx.root.operations) ? ctx.root.operations : {};
  for (const [id, value] of Object.entries(operations)) {
    if (!isObj(value) || !isObj(value.bindings) || !isObj(value.bindings.amqp)) continue;
    const cc = value.bindings.amqp.cc;
    if (!Array.isArray(cc) || !cc.every((key) => typeof key === "string") || cc.length === 0) continue;
    const path = pointer("#/operations", id);
    for (const [ref, where] of messageRefs(ctx, value, path)) {
      const resolved = ctx.deref(ref, where);
      if (resolved)
        ctx.routingKeys.set(resolved.path, [...(ctx.routingKeys.get(resolved.path) ?? []), ...(cc as string[])]);
    }
  }
}

/** [message ref, where it is] of an operation or reply. */
function messageRefs(ctx: ImportContext, node: Obj, path: string): Array<[Json, string]> {
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
