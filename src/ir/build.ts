// Validated spec -> IR: normalized, sorted, every derived name computed here and only here.
import { brokerOf } from "../broker/index.js";
import { DEFAULT_RETRY_MODE, type ConsumerSpec } from "../spec/schema/consumer.js";
import type { EventSpec } from "../spec/schema/event.js";
import type { Spec } from "../spec/schema/spec.js";
import { retryDelays } from "./delays.js";
import { toIRFields } from "./field-type.js";
import {
  camelCase,
  consumerGroup,
  consumerIdent,
  deadLetterQueueName,
  docComment,
  pascalCase,
  schemaNameOf,
  versionTypeName,
} from "./names.js";
import { sortedEntries } from "./sorted.js";
import { dependencyOrder } from "./type-order.js";
import type { IR, IRConsumer, IREvent, IRFilter, IRNamedType, IRRetry, JsonValue } from "./types.js";

export function buildIR(spec: Spec): IR {
  const emitters = emittersByEvent(spec.consumers);
  const events = sortedEntries(spec.events).map(([type, event]) => buildEvent(type, event, emitters.get(type) ?? []));
  const topicOf = new Map(events.map((e) => [e.type, e.topic]));
  const consumers = sortedEntries(spec.consumers).map(([name, consumer]) =>
    buildConsumer(spec, name, consumer, topicOf),
  );
  const stores = new Set(consumers.map((c) => c.idempotency).filter((s) => s !== "none"));
  const windowStores = new Set(consumers.flatMap((c) => (c.window ? [c.window.store] : [])));
  return {
    specVersion: 1,
    service: spec.service,
    ...described(spec.description),
    broker: spec.broker,
    source: `/${spec.service}`,
    settings: brokerOf(spec.broker).settings(spec),
    types: buildNamedTypes(spec.types),
    events,
    consumers,
    topics: distinctSorted(events.map((e) => e.topic)),
    idempotencyStores: [...stores].sort(),
    windowStores: [...windowStores].sort(),
  };
}

function buildNamedTypes(types: Spec["types"]): IRNamedType[] {
  const fieldsByName = new Map(Object.entries(types).map(([name, fields]) => [name, toIRFields(fields)]));
  return dependencyOrder(fieldsByName).map((name) => ({
    name,
    typeName: name,
    schemaName: schemaNameOf(name),
    fields: fieldsByName.get(name)!,
  }));
}

/** The consumers that emit each event type, by name: one pass, not one per event. */
function emittersByEvent(consumers: Spec["consumers"]): Map<string, string[]> {
  const emitters = new Map<string, string[]>();
  for (const [name, consumer] of sortedEntries(consumers)) {
    for (const type of new Set(consumer.emits)) {
      const names = emitters.get(type);
      if (names) names.push(name);
      else emitters.set(type, [name]);
    }
  }
  return emitters;
}

function buildEvent(type: string, event: EventSpec, emittedBy: string[]): IREvent {
  // An event a consumer emits is the service's own to publish: callers over HTTP could forge it.
  const typeName = pascalCase(type);
  const versions = Object.entries(event.versions ?? { 1: event.schema ?? {} })
    .map(([version, fields]) => ({ version: Number(version), fields }))
    .sort((a, b) => a.version - b.version)
    .map(({ version, fields }) => {
      const name = versionTypeName(typeName, version);
      return { version, typeName: name, schemaName: schemaNameOf(name), fields: toIRFields(fields) };
    });
  return {
    type,
    typeName,
    ident: camelCase(type),
    ...described(event.description),
    ...(event.key !== undefined ? { key: event.key } : {}),
    topic: event.topic ?? type,
    routingKey: event.routingKey ?? type,
    latest: versions.at(-1)!.version,
    versions,
    http: event.http ?? emittedBy.length === 0,
    emittedBy,
  };
}

function buildConsumer(spec: Spec, name: string, consumer: ConsumerSpec, topicOf: Map<string, string>): IRConsumer {
  const group = consumerGroup(spec.service, name, consumer);
  const on = [...consumer.on].sort();
  const { delay, maxDelay, mode = DEFAULT_RETRY_MODE, ...rest } = consumer.retry;
  const policy = { ...rest, mode };
  const retry: IRRetry = {
    ...policy,
    delayMs: delay,
    maxDelayMs: maxDelay,
    delaysMs: retryDelays({ ...policy, delayMs: delay, maxDelayMs: maxDelay }),
  };
  const { retryQueues, replayTopic } = brokerOf(spec.broker).consumerNames(group, retry, consumer.deadLetter);
  return {
    name,
    ident: consumerIdent(name),
    typeName: pascalCase(name),
    ...described(consumer.description),
    group,
    on,
    emits: [...consumer.emits].sort(),
    topics: distinctSorted(on.map((type) => topicOf.get(type) ?? type)),
    routingKeys: distinctSorted(on.map((type) => spec.events[type]?.routingKey ?? type)),
    filter: buildFilter(consumer.filter),
    concurrency: consumer.concurrency,
    timeoutMs: consumer.timeout,
    retry,
    retryQueues,
    deadLetter: consumer.deadLetter,
    ...(consumer.deadLetter ? { deadLetterQueue: deadLetterQueueName(group) } : {}),
    ...(replayTopic !== undefined ? { replayTopic } : {}),
    ...(consumer.circuitBreaker
      ? {
          circuitBreaker: {
            failureRate: consumer.circuitBreaker.failureRate,
            minimumCalls: consumer.circuitBreaker.minimumCalls,
            windowMs: consumer.circuitBreaker.window,
            openForMs: consumer.circuitBreaker.openFor,
          },
        }
      : {}),
    idempotency: consumer.window ? "none" : consumer.idempotency.store,
    idempotencyTtlMs: consumer.idempotency.ttl,
    ...(consumer.window
      ? {
          window: {
            sizeMs: consumer.window.size,
            graceMs: consumer.window.grace,
            by: consumer.window.by,
            store: consumer.window.store,
            emits: consumer.emits[0]!,
          },
        }
      : {}),
    files: {
      generated: `src/generated/consumers/${name}.ts`,
      handler: `src/handlers/${name}.ts`,
      test: `test/${name}.test.ts`,
    },
  };
}

/**
 * Equality and one-of come as a value or a list, other conditions as an object. Envelope
 * attributes travel as strings, so `dataversion: 2` is compared as "2"; bounds stay numbers.
 */
function buildFilter(filter: ConsumerSpec["filter"]): IRFilter[] {
  return sortedEntries(filter).map(([path, value]) => {
    const isData = path === "data" || path.startsWith("data.");
    const asWire = (values: JsonValue[]) =>
      isData ? values : values.map((v) => (typeof v === "number" ? String(v) : v));
    if (value === null || typeof value !== "object") return { path, values: asWire([value]) };
    if (Array.isArray(value)) return { path, values: asWire(value) };
    const { not, exists, gt, gte, lt, lte, contains } = value;
    return {
      path,
      ...(not !== undefined ? { not: asWire(Array.isArray(not) ? not : [not]) } : {}),
      ...(exists !== undefined ? { exists } : {}),
      ...(gt !== undefined ? { gt } : {}),
      ...(gte !== undefined ? { gte } : {}),
      ...(lt !== undefined ? { lt } : {}),
      ...(lte !== undefined ? { lte } : {}),
      ...(contains !== undefined ? { contains } : {}),
    };
  });
}

function described(description: string | undefined): { description?: string; doc?: string } {
  return description === undefined ? {} : { description, doc: docComment(description) };
}

function distinctSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}
