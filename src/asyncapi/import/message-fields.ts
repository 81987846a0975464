// A message -> the fields of its event version (its payload's properties); what else the
// message says is checked against what evgen writes, and the rest reported.
import type { FieldsSpec } from "../../spec/schema/field-type.js";
import { readBindings } from "./bindings.js";
import { NO_PLACE, type ImportContext, type MessageInfo } from "./context.js";
import { isObj, pointer, type Json } from "./json.js";
import { objectFields } from "./object-fields.js";

/** Schema formats whose schemas are JSON Schema: AsyncAPI's own and JSON Schema, in JSON or YAML. */
const JSON_SCHEMA_FORMAT = /^application\/(?:vnd\.aai\.asyncapi(?:\+json|\+yaml)?|schema(?:\+json|\+yaml)?)(?:;|$)/i;

export function messageFields(ctx: ImportContext, info: MessageInfo): FieldsSpec {
  const { message, pointer: path } = info;
  ctx.leftover(message, path, [
    "name",
    "title",
    "summary",
    "description",
    "contentType",
    "headers",
    "payload",
    "bindings",
  ]);
  if (message.contentType !== undefined && message.contentType !== "application/json") {
    ctx.warn(pointer(path, "contentType"), "evgen events are application/json");
  }
  if (typeof message.title === "string" && message.title !== `${info.type} v${info.version}`) {
    ctx.warn(pointer(path, "title"), NO_PLACE);
  }
  if (
    typeof message.summary === "string" &&
    typeof message.description === "string" &&
    message.summary !== message.description
  ) {
    ctx.warn(pointer(path, "summary"), "not imported: the description is");
  }
  readBindings(ctx, "message", message, path);
  if (message.payload === undefined) {
    ctx.warn(path, "no payload: imported with no fields");
    return {};
  }
  let payload: Json = message.payload;
  let payloadPath = pointer(path, "payload");
  if (isObj(payload) && payload.schema !== undefined && payload.$ref === undefined) {
    const format = String(payload.schemaFormat ?? "");
    if (format !== "" && !JSON_SCHEMA_FORMAT.test(format)) {
      ctx.warn(payloadPath, `payload in ${format} is not imported: only JSON Schema is`);
      return {};
    }
    payload = payload.schema;
    payloadPath = pointer(payloadPath, "schema");
  }
  return objectFields(ctx, payload, payloadPath, true);
}
