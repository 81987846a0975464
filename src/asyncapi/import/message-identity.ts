// Which event type and version a message is: x-evgen-* extensions, else the CloudEvents headers,
// else the message's name (a trailing v2 / _V2 is the version).
import { EVENT_TYPE } from "../../spec/patterns.js";
import type { ImportContext, MessageInfo } from "./context.js";
import { isObj, pointer, type Obj } from "./json.js";

const CLOUDEVENTS_HEADER =
  /^(ce_|cloudEvents_)(id|type|source|specversion|time|dataversion|subject|datacontenttype|dataschema)$/;
const KNOWN_HEADERS = new Set(["content-type", "traceparent", "tracestate"]);

export function messageIdentity(ctx: ImportContext, info: MessageInfo): { type: string; version: number } | undefined {
  const { message, pointer: path } = info;
  const headers = headerConsts(ctx, message, path);
  let version =
    typeof message["x-evgen-version"] === "number"
      ? message["x-evgen-version"]
      : headers.dataversion !== undefined && /^[1-9][0-9]*$/.test(headers.dataversion)
        ? Number(headers.dataversion)
        : undefined;
  const explicit = typeof message["x-evgen-event"] === "string" ? message["x-evgen-event"] : headers.type;
  let name = explicit ?? (typeof message.name === "string" ? message.name : path.split("/").at(-1)!);
  if (explicit === undefined) {
    const suffix = /^(.+?)[._-]?[vV](\d+)$/.exec(name);
    if (suffix) {
      name = suffix[1]!;
      version ??= Number(suffix[2]);
    }
  }
  const type = eventType(ctx.service, name);
  if (!type) {
    ctx.warn(
      path,
      `no event type can be made of '${name}' (2+ dot-separated segments of [a-z][a-z0-9-]*): not imported`,
    );
    return undefined;
  }
  if (type !== name) ctx.warn(path, `imported as event type '${type}'`);
  if (!Number.isInteger(version) || (version ?? 1) < 1) version = 1;
  return { type, version: version ?? 1 };
}

/** `name` as an event type; a one-segment name is prefixed with the service. */
function eventType(service: string, name: string): string | undefined {
  if (EVENT_TYPE.test(name)) return name;
  const segments = name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .split(/[./:]+/)
    .map((s) => s.replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+|-+$/g, ""))
    .filter(Boolean);
  const type = (segments.length === 1 ? [service, ...segments] : segments).join(".");
  return EVENT_TYPE.test(type) ? type : undefined;
}

/** The CloudEvents attributes a message's headers fix with `const` (or a one-value enum). */
function headerConsts(ctx: ImportContext, message: Obj, path: string): { type?: string; dataversion?: string } {
  const result: { type?: string; dataversion?: string } = {};
  const resolved = message.headers === undefined ? undefined : ctx.deref(message.headers, pointer(path, "headers"));
  if (!resolved || !isObj(resolved.node)) return result;
  const properties = isObj(resolved.node.properties) ? resolved.node.properties : {};
  for (const [name, schema] of Object.entries(properties)) {
    const match = CLOUDEVENTS_HEADER.exec(name);
    if (!match && !KNOWN_HEADERS.has(name.toLowerCase())) {
      ctx.warn(
        pointer(resolved.path, "properties", name),
        "custom headers are not imported: evgen events carry the CloudEvents headers",
      );
      continue;
    }
    if (!match || !isObj(schema)) continue;
    const value = schema.const ?? (Array.isArray(schema.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined);
    if (typeof value !== "string") continue;
    if (match[2] === "type") result.type = value;
    if (match[2] === "dataversion") result.dataversion = value;
  }
  return result;
}
