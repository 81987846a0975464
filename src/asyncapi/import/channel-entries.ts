// The document's channels, each with where it is (after following a $ref).
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
