// AsyncAPI 3.1 or 3.0 (YAML or JSON text) -> evgen.yaml text, best effort. Messages become event
// versions (payload JSON Schemas -> fields), named schemas become `types:`, receive operations
// become consumers. Whatever has no place in evgen.yaml is reported as a warning with its
// AsyncAPI path (a JSON pointer), never dropped silently. The result is checked with validateSpec:
// the caller writes it only when that passes. Pure: no disk, no process.
//
// One mapper a file: service.ts (info, servers), channels.ts (messages and channel bindings),
// events.ts (messages -> events), object-fields.ts / field-type.ts / schema-object.ts (JSON
// Schema -> fields), consumers.ts (receive operations), components.ts (what nothing refers to).
import { brokerOf } from "../../broker/index.js";
import { parse } from "yaml";
import { validateSpec } from "../../validate/index.js";
import { collectMessages } from "./channels.js";
import { unusedComponents } from "./components.js";
import { consumers } from "./consumers.js";
import { ImportContext, NO_PLACE } from "./context.js";
import { events } from "./events.js";
import { byKey, isObj, type Json, type Obj } from "./json.js";
import { renderSpec } from "./render-spec.js";
import { detectBroker, servers, serviceName } from "./service.js";
import { AsyncApiImportError, type ImportOptions, type ImportResult } from "./types.js";

export { MODELINE } from "../../spec/modeline.js";
export { AsyncApiImportError, type ImportOptions, type ImportResult, type ImportWarning } from "./types.js";

export function importAsyncApi(text: string, options: ImportOptions = {}): ImportResult {
  let root: Json;
  try {
    root = parse(text);
  } catch (error) {
    throw new AsyncApiImportError(`not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (!isObj(root) || typeof root.asyncapi !== "string") {
    throw new AsyncApiImportError("not an AsyncAPI document: the 'asyncapi' field is missing");
  }
  if (!root.asyncapi.startsWith("3.")) {
    throw new AsyncApiImportError(
      `AsyncAPI ${root.asyncapi} is not supported: only 3.x (convert a 2.x document first, e.g. with \`asyncapi convert\`)`,
    );
  }
  const ctx = new ImportContext(root, options);
  if (!/^3\.[01]\./.test(root.asyncapi))
    ctx.warn("#/asyncapi", `AsyncAPI ${root.asyncapi} is read as 3.1: what later versions added is not known here`);
  return run(ctx);
}

function run(ctx: ImportContext): ImportResult {
  const root = ctx.root;
  ctx.leftover(root, "#", [
    "asyncapi",
    "info",
    "servers",
    "defaultContentType",
    "channels",
    "operations",
    "components",
    "id",
  ]);
  if (root.id !== undefined) ctx.warn("#/id", NO_PLACE);
  if (root.defaultContentType !== undefined && root.defaultContentType !== "application/json") {
    ctx.warn("#/defaultContentType", "evgen events are application/json");
  }
  const info = isObj(root.info) ? root.info : {};
  ctx.leftover(info, "#/info", ["title", "version", "description", "x-evgen-source"]);
  ctx.service = serviceName(ctx, info.title);
  ctx.broker = ctx.options.broker ?? detectBroker(ctx);

  const spec: Obj = { evgen: 1, service: ctx.service };
  if (typeof info.description === "string") spec.description = info.description;
  spec.broker = ctx.broker;
  Object.assign(spec, servers(ctx));

  const asyncapiImport = brokerOf(ctx.broker).asyncapiImport;
  collectMessages(ctx);
  asyncapiImport.beforeEvents(ctx);
  const eventSpecs = events(ctx);
  const consumerSpecs = consumers(ctx, new Set(Object.keys(eventSpecs)));
  // The broker's settings block: what its servers gave, and what the channels' bindings give.
  const existing = spec[ctx.broker];
  const section = { ...(isObj(existing) ? existing : {}), ...asyncapiImport.bindingSettings(ctx) };
  if (Object.keys(section).length > 0) spec[ctx.broker] = section;
  unusedComponents(ctx);

  if (ctx.types.size > 0) spec.types = Object.fromEntries(byKey(ctx.types));
  spec.events = eventSpecs;
  if (Object.keys(consumerSpecs).length > 0) spec.consumers = consumerSpecs;

  const text = renderSpec(spec, ctx.options.sourceName);
  const validated = validateSpec(text, ctx.options.specFile ?? "evgen.yaml");
  return {
    text,
    warnings: ctx.warnings,
    ok: validated.ok,
    issues: validated.ok ? validated.warnings : validated.issues,
  };
}
