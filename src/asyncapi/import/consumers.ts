// Receive operations -> `consumers:` (send operations say nothing evgen.yaml does not).
import { allBrokers, brokerOf } from "../../broker/index.js";
import { consumerGroup } from "../../ir/names.js";
import { CONSUMER_NAME } from "../../spec/patterns.js";
import { readBindings } from "./bindings.js";
import type { ImportContext } from "./context.js";
import { consumerPolicy } from "./consumer-policy.js";
import { byKey, isObj, pointer, type Obj } from "./json.js";
import { operationEvents, replyEvents } from "./operation-events.js";
import { kebab } from "./slug.js";

export function consumers(ctx: ImportContext, eventTypes: Set<string>): Record<string, Obj> {
  const operations = isObj(ctx.root.operations) ? ctx.root.operations : {};
  const result = new Map<string, Obj>();
  for (const [id, value] of Object.entries(operations)) {
    const resolved = ctx.deref(value, pointer("#/operations", id));
    if (!resolved || !isObj(resolved.node)) continue;
    const { node: operation, path } = resolved;
    if (operation.action === "send") {
      ctx.leftover(operation, path, ["action", "channel", "messages"]);
      continue;
    }
    if (operation.action !== "receive") {
      ctx.warn(pointer(path, "action"), "an operation is send or receive: not imported");
      continue;
    }
    receive(ctx, id, operation, path, eventTypes, result);
  }
  return Object.fromEntries(byKey(result));
}

/** A receive operation joins (or makes) the consumer it names. */
function receive(
  ctx: ImportContext,
  id: string,
  operation: Obj,
  path: string,
  eventTypes: Set<string>,
  result: Map<string, Obj>,
): void {
  ctx.leftover(operation, path, ["action", "channel", "messages", "description", "bindings", "reply"]);
  const extension = isObj(operation["x-evgen-consumer"]) ? operation["x-evgen-consumer"] : {};
  const name = consumerName(ctx, id, operation, extension, path);
  if (!name) return;
  const on = operationEvents(ctx, operation, path).filter((type) => eventTypes.has(type));
  if (on.length === 0) {
    ctx.warn(path, "no event of this receive operation was imported: no consumer made of it");
    return;
  }
  const emits = [
    ...(Array.isArray(extension.emits) ? extension.emits.map(String) : []),
    ...replyEvents(ctx, operation, path),
  ].filter((type) => {
    if (eventTypes.has(type)) return true;
    ctx.warn(path, `emits '${type}', which is not an imported event`);
    return false;
  });
  const consumer = result.get(name) ?? {};
  const description = typeof extension.description === "string" ? extension.description : operation.description;
  if (typeof description === "string") consumer.description = description;
  consumer.on = [...new Set([...((consumer.on as string[] | undefined) ?? []), ...on])].sort();
  if (emits.length > 0 || consumer.emits) {
    consumer.emits = [...new Set([...((consumer.emits as string[] | undefined) ?? []), ...emits])].sort();
  }
  wireName(ctx, name, consumer, operation, extension, path);
  consumerPolicy(ctx, consumer, extension, pointer(path, "x-evgen-consumer"));
  result.set(name, consumer);
  readBindings(ctx, "operation", operation, path);
}

/**
 * The group id (Kafka) or queue (RabbitMQ) the document names, kept when it is not the one evgen
 * derives: a service must join the documented group or queue, not one of its own.
 */
function wireName(ctx: ImportContext, name: string, consumer: Obj, operation: Obj, extension: Obj, path: string): void {
  const { label, names } = brokerOf(ctx.broker);
  const asyncapiImport = brokerOf(ctx.broker).asyncapiImport;
  const key = names.consumerKey;
  const found = asyncapiImport.consumerWireName(ctx, operation, path);
  const given = typeof extension.group === "string" ? extension.group : found?.name;
  if (given === undefined || given === consumerGroup(ctx.service, name)) return;
  if (!asyncapiImport.canName(given)) {
    ctx.warn(
      found?.path ?? path,
      `'${given}' cannot name a ${label} ${names.consumerNoun} evgen derives topics or queues from: the consumer uses '${consumerGroup(ctx.service, name)}'`,
    );
    return;
  }
  if (consumer[key] !== undefined && consumer[key] !== given) {
    ctx.warn(
      found?.path ?? path,
      `consumer '${name}' is already on '${String(consumer[key])}': '${given}' is not imported`,
    );
    return;
  }
  consumer[key] = given;
}

/**
 * x-evgen-consumer.name, else the group its bindings name (a broker's import part reads it: Kafka's
 * group id) without the service prefix, else the operation id.
 */
function consumerName(
  ctx: ImportContext,
  id: string,
  operation: Obj,
  extension: Obj,
  path: string,
): string | undefined {
  if (typeof extension.name === "string" && CONSUMER_NAME.test(extension.name)) return extension.name;
  const group = allBrokers()
    .map(({ asyncapiImport }) => asyncapiImport.groupNamed?.(operation))
    .find((named) => named !== undefined);
  const source = group?.startsWith(`${ctx.service}.`)
    ? group.slice(ctx.service.length + 1)
    : (group ?? (id.replace(/^receive[._-]?/i, "") || id));
  const name = kebab(source);
  if (!CONSUMER_NAME.test(name)) {
    ctx.warn(path, `no consumer name can be made of '${id}': not imported`);
    return undefined;
  }
  if (name !== source) ctx.warn(path, `imported as consumer '${name}'`);
  return name;
}
