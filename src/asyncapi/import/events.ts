// Messages -> `events:`: one event per type, a version per message, with description, key and topic.
import { brokerOf } from "../../broker/index.js";
import type { FieldsSpec, FieldTypeSpec } from "../../spec/schema/field-type.js";
import type { ImportContext, MessageInfo } from "./context.js";
import { byKey, pointer, type Obj } from "./json.js";
import { messageFields } from "./message-fields.js";
import { messageIdentity } from "./message-identity.js";

interface VersionEntry {
  info: MessageInfo;
  version: number;
  fields: FieldsSpec;
}

export function events(ctx: ImportContext): Record<string, Obj> {
  // Every message's identity first: named types must not take the TypeScript names of events.
  const identified = [...ctx.messages.values()].flatMap((info) => {
    const identity = messageIdentity(ctx, info);
    return identity ? [{ info, ...identity }] : [];
  });
  for (const { type, version } of identified) ctx.reserveEventNames(type, version);
  const byType = new Map<string, VersionEntry[]>();
  for (const { info, type, version } of identified) {
    const list = byType.get(type) ?? [];
    if (list.some((entry) => entry.version === version)) {
      ctx.warn(info.pointer, `a second message for ${type} version ${version}: not imported`);
      continue;
    }
    info.type = type;
    info.version = version;
    list.push({ info, version, fields: messageFields(ctx, info) });
    byType.set(type, list);
  }
  const result: Record<string, Obj> = {};
  for (const [type, list] of byKey(byType)) result[type] = event(ctx, type, list);
  if (Object.keys(result).length === 0) ctx.warn("#/components/messages", "no message could be imported as an event");
  return result;
}

function event(ctx: ImportContext, type: string, list: VersionEntry[]): Obj {
  list.sort((a, b) => a.version - b.version);
  const event: Obj = {};
  const description = eventDescription(
    ctx,
    list.map((entry) => entry.info),
  );
  if (description !== undefined) event.description = description;
  const key = eventKey(ctx, type, list);
  if (key !== undefined) event.key = key;
  const infos = list.map((entry) => entry.info);
  // Only the keys the service's broker reads (Kafka: topic; RabbitMQ: routingKey): the spec rejects others.
  Object.assign(event, brokerOf(ctx.broker).asyncapiImport.eventRouting(ctx, type, infos));
  if (list.length === 1 && list[0]!.version === 1) event.schema = list[0]!.fields;
  // A Map keeps the version keys numbers, so they print as `1:` rather than `"1":`.
  else event.versions = new Map(list.map((entry) => [entry.version, entry.fields]));
  return event;
}

function eventDescription(ctx: ImportContext, infos: MessageInfo[]): string | undefined {
  const texts = infos.map(({ message }) =>
    typeof message.description === "string"
      ? message.description
      : typeof message.summary === "string"
        ? message.summary
        : undefined,
  );
  const chosen = texts.filter((t) => t !== undefined).at(-1);
  infos.forEach((info, i) => {
    if (texts[i] !== undefined && texts[i] !== chosen) {
      ctx.warn(
        pointer(info.pointer, "description"),
        "versions differ in description: the latest version's is imported",
      );
    }
  });
  return chosen;
}

const KEY_SHORTHANDS = ["string", "number", "integer", "uuid", "email", "url", "datetime", "date"];

/** A required string or number field (shorthand or object). */
function isKeyType(type: FieldTypeSpec | undefined): boolean {
  return typeof type === "string"
    ? KEY_SHORTHANDS.includes(type)
    : type !== undefined && !Array.isArray(type.type) && ["string", "number", "integer"].includes(String(type.type));
}

/** The key: x-evgen-key, kept only when it names a required string/number field of every version. */
function eventKey(ctx: ImportContext, type: string, list: VersionEntry[]): string | undefined {
  const keys = [
    ...new Set(list.map((e) => e.info.message["x-evgen-key"]).filter((k) => typeof k === "string")),
  ] as string[];
  if (keys.length === 0) return undefined;
  const key = keys.at(-1)!;
  const usable = list.every(({ fields }) => isKeyType(fields[key]));
  if (!usable || keys.length > 1) {
    ctx.warn(
      pointer(list.at(-1)!.info.pointer, "x-evgen-key"),
      `key '${key}' of ${type} is not a required string or number field of every version: not imported`,
    );
    return undefined;
  }
  return key;
}
