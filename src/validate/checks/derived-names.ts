// Names evgen derives (TS identifiers, topics, queues) must be distinct and legal for the broker;
// a clash here would otherwise surface as a compile error or a broker error after generating.
import {
  consumerGroup,
  consumerIdent,
  deadLetterQueueName,
  defaultExchange,
  handlersTypeName,
  pascalCase,
  replayTopicName,
  retryQueueName,
  unroutedName,
  versionTypeName,
  waitQueueName,
} from "../../ir/names.js";
import { retryDelays } from "../../ir/delays.js";
import type { SpecPath } from "../../spec/issue.js";
import { KAFKA_TOPIC_MAX, RABBITMQ_NAME_MAX_BYTES } from "../../spec/patterns.js";
import type { CheckContext } from "./context.js";
import { versionsOf } from "./walk.js";

/**
 * Globals and the names generated code declares or imports next to the types of the spec: a named
 * type or event type must not shadow them. events.ts imports EventDef and declares EventDefs ..
 * EventVersions; index.ts re-exports events.ts beside its own exports (the names after them).
 */
export const RESERVED_TYPE_NAMES = new Set(
  (
    "Array Boolean Buffer Date Error JSON Map Math Number Object Omit Partial Pick Promise Readonly Record " +
    "Required Set String Symbol EventDef EventDefs EventPayloads EventType EventVersions " +
    "InvalidPayloadError NonRetryableError PublishOptions Publisher PublisherOptions"
  ).split(" "),
);

/** Names testing.ts declares beside the consumers' handler types it imports. */
const RESERVED_HANDLERS_TYPES = new Set(["Harness", "HarnessHandlers", "HarnessOptions"]);

export function checkDerivedNames(ctx: CheckContext): void {
  checkTypeNames(ctx);
  checkConsumerIdents(ctx);
  checkBrokerNames(ctx);
  checkComposeService(ctx);
}

function checkTypeNames(ctx: CheckContext): void {
  const owners = new Map<string, string>();
  const claim = (tsName: string, owner: string, path: SpecPath) => {
    const earlier = owners.get(tsName);
    if (RESERVED_TYPE_NAMES.has(tsName)) {
      ctx.error(path, `${owner} would be the TypeScript name '${tsName}', which is reserved`, {
        at: "key",
        hint: "rename it",
      });
    } else if (earlier !== undefined) {
      ctx.error(path, `${owner} and ${earlier} both become the TypeScript name '${tsName}'`, {
        at: "key",
        hint: "rename one of them",
      });
    } else {
      owners.set(tsName, owner);
    }
  };
  for (const name of Object.keys(ctx.parts.types)) claim(name, `type '${name}'`, ["types", name]);
  for (const [type, event] of Object.entries(ctx.parts.events)) {
    const typeName = pascalCase(type);
    claim(typeName, `event '${type}'`, ["events", type]);
    for (const { version, path } of versionsOf(type, event)) {
      claim(versionTypeName(typeName, version), `version ${version} of event '${type}'`, path);
    }
  }
}

function checkConsumerIdents(ctx: CheckContext): void {
  const owners = new Map<string, string>();
  for (const name of Object.keys(ctx.parts.consumers)) {
    const handlersType = handlersTypeName(pascalCase(name));
    if (RESERVED_HANDLERS_TYPES.has(handlersType)) {
      ctx.error(["consumers", name], `consumer '${name}' would be the TypeScript name '${handlersType}', which is reserved`, {
        at: "key",
        hint: "rename it",
      });
    }
    const ident = consumerIdent(name);
    const earlier = owners.get(ident);
    if (earlier !== undefined) {
      ctx.error(["consumers", name], `consumers '${earlier}' and '${name}' both become the identifier '${ident}'`, {
        at: "key",
        hint: "rename one of them",
      });
    }
    owners.set(ident, name);
  }
}

function checkBrokerNames(ctx: CheckContext): void {
  const { service, broker, events, consumers, rabbitmq } = ctx.parts;
  if (service === undefined || broker === undefined) return;
  const kafka = broker === "kafka";
  const limit = kafka ? KAFKA_TOPIC_MAX : RABBITMQ_NAME_MAX_BYTES;
  const what = kafka ? "Kafka topic" : "RabbitMQ queue";
  const derived = new Map<string, string>(); // name -> consumer
  const groups = new Map<string, string>(); // group or queue -> consumer
  for (const [name, consumer] of Object.entries(consumers)) {
    const group = consumerGroup(service, name, consumer);
    const sharing = groups.get(group);
    if (sharing !== undefined) {
      const key = kafka ? "groupId" : "queue";
      ctx.error(["consumers", name, ...(consumer[key] !== undefined ? [key] : [])], `consumers '${sharing}' and '${name}' both use the ${kafka ? "group" : "queue"} '${group}'`, {
        at: consumer[key] !== undefined ? "value" : "key",
        hint: `give each consumer its own ${key}`,
      });
    }
    groups.set(group, name);
    const retries = kafka && consumer.retry.mode === "blocking" ? 0 : consumer.retry.attempts - 1;
    const names = [
      group,
      ...(consumer.deadLetter ? [deadLetterQueueName(group), ...(kafka ? [replayTopicName(group)] : [])] : []),
      ...(kafka
        ? Array.from({ length: retries }, (_, i) => retryQueueName(group, i + 1))
        : retryDelays({
            attempts: consumer.retry.attempts,
            delayMs: consumer.retry.delay,
            backoff: consumer.retry.backoff,
            maxDelayMs: consumer.retry.maxDelay,
            mode: "non-blocking",
          }).map((delayMs) => waitQueueName(group, delayMs))),
    ];
    const longest = names.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a));
    if (Buffer.byteLength(longest) > limit) {
      ctx.error(
        ["consumers", name],
        `consumer '${name}' needs the ${what} '${longest}', longer than the ${limit} allowed`,
        {
          at: "key",
          hint: "shorten the service or consumer name",
        },
      );
    }
    for (const derivedName of names.slice(1)) derived.set(derivedName, name);
  }
  if (!kafka && Object.hasOwn(consumers, "unrouted")) {
    ctx.error(["consumers", "unrouted"], `the queue '${unroutedName(service)}' holds the events no queue is bound to`, {
      at: "key",
      hint: "rename the consumer",
    });
  }
  if (kafka) checkTopics(ctx, events, derived);
  else if (rabbitmq?.exchange === undefined && Buffer.byteLength(defaultExchange(service)) > RABBITMQ_NAME_MAX_BYTES) {
    ctx.error(
      ["service"],
      `the exchange '${defaultExchange(service)}' would be longer than ${RABBITMQ_NAME_MAX_BYTES} bytes`,
      {
        hint: "set rabbitmq.exchange or shorten the service name",
      },
    );
  }
}

function checkTopics(ctx: CheckContext, events: CheckContext["parts"]["events"], derived: Map<string, string>): void {
  const byNormalized = new Map<string, string>();
  for (const [type, event] of Object.entries(events)) {
    const topic = event.topic ?? type;
    const path = event.topic === undefined ? ["events", type] : ["events", type, "topic"];
    const consumer = derived.get(topic);
    if (consumer !== undefined) {
      ctx.error(path, `topic '${topic}' is also a retry or dead-letter topic of consumer '${consumer}'`, {
        at: event.topic ? "value" : "key",
      });
    }
    // Kafka's metrics treat '.' and '_' alike, so such topics are told apart badly.
    const normalized = topic.replaceAll(".", "_");
    const other = byNormalized.get(normalized);
    if (other !== undefined && other !== topic) {
      ctx.warn(path, `topics '${other}' and '${topic}' differ only in '.' and '_', which Kafka's metrics confuse`, {
        at: event.topic ? "value" : "key",
      });
    }
    byNormalized.set(normalized, topic);
  }
}

/** docker-compose.yml runs the service beside its broker and stores, each a compose service by name. */
function checkComposeService(ctx: CheckContext): void {
  const { service, broker, consumers } = ctx.parts;
  if (service === undefined || broker === undefined) return;
  const stores = Object.values(consumers).map((consumer) => consumer.idempotency.store);
  const others = [broker, ...(["redis", "postgres"] as const).filter((store) => stores.includes(store))];
  if (others.includes(service as (typeof others)[number])) {
    ctx.error(["service"], `service '${service}' would have the same name as the ${service} service in docker-compose.yml`, {
      hint: "rename the service",
    });
  }
}
