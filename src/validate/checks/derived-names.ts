// Names evgen derives (TS identifiers, topics, queues) must be distinct and legal for the broker;
// a clash here would otherwise surface as a compile error or a broker error after generating.
import { brokerOf } from "../../broker/index.js";
import {
  consumerGroup,
  consumerIdent,
  deadLetterQueueName,
  handlersTypeName,
  pascalCase,
  versionTypeName,
} from "../../ir/names.js";
import { retryDelays } from "../../ir/delays.js";
import type { SpecPath } from "../../spec/issue.js";
import { DEFAULT_RETRY_MODE } from "../../spec/schema/consumer.js";
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
      ctx.error(
        ["consumers", name],
        `consumer '${name}' would be the TypeScript name '${handlersType}', which is reserved`,
        {
          at: "key",
          hint: "rename it",
        },
      );
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
  const { service, broker, consumers } = ctx.parts;
  if (service === undefined || broker === undefined) return;
  const descriptor = brokerOf(broker);
  const { channel, maxBytes, consumerKey: key, consumerNoun } = descriptor.names;
  const derived = new Map<string, string>(); // name -> consumer
  const groups = new Map<string, string>(); // group or queue -> consumer
  for (const [name, consumer] of Object.entries(consumers)) {
    const group = consumerGroup(service, name, consumer);
    const sharing = groups.get(group);
    if (sharing !== undefined) {
      ctx.error(
        ["consumers", name, ...(consumer[key] !== undefined ? [key] : [])],
        `consumers '${sharing}' and '${name}' both use the ${consumerNoun} '${group}'`,
        {
          at: consumer[key] !== undefined ? "value" : "key",
          hint: `give each consumer its own ${key}`,
        },
      );
    }
    groups.set(group, name);
    const { retryQueues, replayTopic } = descriptor.consumerNames(
      group,
      {
        mode: consumer.retry.mode ?? DEFAULT_RETRY_MODE,
        delaysMs: retryDelays({
          attempts: consumer.retry.attempts,
          delayMs: consumer.retry.delay,
          backoff: consumer.retry.backoff,
          maxDelayMs: consumer.retry.maxDelay,
          mode: consumer.retry.mode ?? DEFAULT_RETRY_MODE,
        }),
      },
      consumer.deadLetter,
    );
    const names = [
      group,
      ...(consumer.deadLetter ? [deadLetterQueueName(group), ...(replayTopic !== undefined ? [replayTopic] : [])] : []),
      ...retryQueues,
    ];
    const longest = names.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a));
    if (Buffer.byteLength(longest) > maxBytes) {
      ctx.error(
        ["consumers", name],
        `consumer '${name}' needs the ${channel} '${longest}', longer than the ${maxBytes} allowed`,
        {
          at: "key",
          hint: "shorten the service or consumer name",
        },
      );
    }
    for (const derivedName of names.slice(1)) derived.set(derivedName, name);
  }
  descriptor.checkNames(ctx, derived);
}

/** docker-compose.yml runs the service beside its broker and stores, each a compose service by name. */
function checkComposeService(ctx: CheckContext): void {
  const { service, broker, consumers } = ctx.parts;
  if (service === undefined || broker === undefined) return;
  const stores = Object.values(consumers).map((consumer) => consumer.idempotency.store);
  const others = [broker, ...(["redis", "postgres"] as const).filter((store) => stores.includes(store))];
  if (others.includes(service as (typeof others)[number])) {
    ctx.error(
      ["service"],
      `service '${service}' would have the same name as the ${service} service in docker-compose.yml`,
      {
        hint: "rename the service",
      },
    );
  }
}
