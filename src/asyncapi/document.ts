// What every part of an exported AsyncAPI document shares: JSON values, $refs into the document,
// the ids of messages. The broker-specific parts (src/broker/<broker>-asyncapi.ts) build on these.
import type { IR, IREvent, IRVersion, JsonValue } from "../ir/types.js";

export type JsonObject = { [key: string]: JsonValue };

/** Message ids: the TS type name of the version (OrderCreatedV1), unique per spec. */
export const messageId = (version: IRVersion) => version.typeName;

const pointerEscape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
export const ref = (...path: string[]) => ({ $ref: `#/${path.map(pointerEscape).join("/")}` });

/** A channel's messages: every version of these events, by message id, each a $ref to its component. */
export function channelMessages(events: IREvent[]): JsonObject {
  return Object.fromEntries(
    events.flatMap((e) => e.versions.map((v) => [messageId(v), ref("components", "messages", messageId(v))])),
  );
}

export function eventsOf(ir: IR, types: string[]): IREvent[] {
  return ir.events.filter((e) => types.includes(e.type));
}
