// The intermediate representation: a validated spec, normalized and sorted, with every derived
// name (TS identifiers, group/queue/topic names, file paths) computed exactly once. Everything
// after this stage (plan, render) only reads it.

import type { BrokerName } from "../spec/schema/brokers.js";
import type { JsonValue } from "../spec/json.js";
import type { StringFormat } from "../spec/schema/field-type.js";

export type { JsonValue, StringFormat };

export type Broker = BrokerName;

/**
 * Each broker's settings from its block of the spec, under its name: src/broker/<broker>/settings.ts
 * adds its own entry (declaration merging), so the IR names no broker.
 */
export interface BrokerSettings {}

/** Annotations any schema node may carry. */
export interface IRTypeBase {
  /** `type: [x, "null"]` in JSON Schema. */
  nullable: boolean;
  description?: string;
  /** `description` with the comment terminator escaped (`*\/`), safe to print inside a doc comment. */
  doc?: string;
  default?: JsonValue;
}

export type IRType = IRTypeBase &
  (
    | { kind: "string"; format?: StringFormat; minLength?: number; maxLength?: number; pattern?: string }
    | { kind: "number"; integer: boolean; minimum?: number; maximum?: number }
    | { kind: "boolean" }
    | { kind: "null" }
    | { kind: "enum"; values: Array<string | number | boolean | null> }
    | { kind: "const"; value: JsonValue }
    | { kind: "array"; items: IRType; minItems?: number; maxItems?: number }
    /** Open object: unknown fields are accepted and kept (forward compatibility). */
    | { kind: "object"; fields: IRField[] }
    /** A named type from `types:`; `typeName` is its TS type, `schemaName` its zod schema const. */
    | { kind: "ref"; name: string; typeName: string; schemaName: string }
    | { kind: "union"; options: IRType[] }
    | { kind: "unknown" }
  );

export interface IRField {
  /** As written in the spec (validated: [A-Za-z_][A-Za-z0-9_]*), so also a safe TS property name. */
  name: string;
  optional: boolean;
  type: IRType;
}

export interface IRNamedType {
  name: string; // PascalCase, as in the spec
  typeName: string; // TS type name (same as name)
  schemaName: string; // zod schema const, e.g. lineItemSchema
  description?: string;
  /** `description` with the comment terminator escaped (`*\/`), safe to print inside a doc comment. */
  doc?: string;
  fields: IRField[];
}

export interface IRVersion {
  version: number;
  typeName: string; // OrderCreatedV1
  schemaName: string; // orderCreatedV1Schema
  fields: IRField[];
}

export interface IREvent {
  type: string; // order.created
  typeName: string; // OrderCreated (TS type of the latest version's data)
  ident: string; // orderCreated
  description?: string;
  /** `description` with the comment terminator escaped (`*\/`), safe to print inside a doc comment. */
  doc?: string;
  /** Field used as the Kafka message key; a required scalar field of every version. */
  key?: string;
  /** Kafka topic (defaults to the event type). Also present for RabbitMQ, where it is unused. */
  topic: string;
  /** RabbitMQ routing key (defaults to the event type). Also present for Kafka, where it is unused. */
  routingKey: string;
  latest: number;
  versions: IRVersion[]; // sorted ascending
  /** Whether POST /events/<type> accepts it: the spec's `http`, else not when a consumer emits it. */
  http: boolean;
  /** The consumers that emit it, sorted (why it is not exposed by default). */
  emittedBy: string[];
}

/**
 * The conditions on one path; the event matches when all of them hold. Bounds are numbers, or
 * RFC 3339 date-times / dates compared as points in time (docs/spec.md, "Filters").
 */
export interface IRFilter {
  /** Dot path into the event, e.g. "data.channel". */
  path: string;
  /** The value equals one of these. */
  values?: JsonValue[];
  /** The value equals none of these (an absent value passes). */
  not?: JsonValue[];
  /** true: present and not null; false: absent or null. */
  exists?: boolean;
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  /** The value is a list holding this. */
  contains?: JsonValue;
}

export interface IRCircuitBreaker {
  /** Share of failed calls that opens the circuit, 0 < failureRate <= 1. */
  failureRate: number;
  minimumCalls: number;
  windowMs: number;
  openForMs: number;
}

export interface IRRetry {
  attempts: number; // deliveries in total, the first included
  delayMs: number;
  backoff: "exponential" | "fixed";
  maxDelayMs: number;
  mode: "non-blocking" | "blocking";
  /** delaysMs[k-1] = wait before attempt k+1, for k = 1..attempts-1. */
  delaysMs: number[];
}

/** A window consumer's tumbling windows (docs/spec.md, windowed aggregation). */
export interface IRWindow {
  sizeMs: number;
  graceMs: number;
  /** Dot path to the key field, e.g. "data.userId" (validated: data.<field>...). */
  by: string;
  store: "memory" | "redis" | "postgres";
  /** The one event it emits: the summary of each window. */
  emits: string;
}

export interface IRConsumer {
  name: string; // send-confirmation
  ident: string; // sendConfirmation
  typeName: string; // SendConfirmation
  description?: string;
  /** `description` with the comment terminator escaped (`*\/`), safe to print inside a doc comment. */
  doc?: string;
  /** Kafka group id and RabbitMQ queue: the spec's groupId / queue, else `<service>.<name>`. */
  group: string;
  on: string[]; // sorted event types
  emits: string[]; // sorted event types
  /** Kafka topics of its `on` events, sorted and distinct. */
  topics: string[];
  /** RabbitMQ routing keys of its `on` events, its queue's bindings, sorted and distinct. */
  routingKeys: string[];
  filter: IRFilter[];
  concurrency: number;
  timeoutMs: number;
  retry: IRRetry;
  /**
   * By attempt: [k-1] holds events waiting for attempt k+1. Kafka: topics `<group>.retry-<k>`
   * (none when blocking); RabbitMQ: wait queues named by their delay, `<group>.retry-<delay>`
   * (one queue for equal delays).
   */
  retryQueues: string[];
  deadLetter: boolean;
  /** With a dead letter: `<group>.dlq`. Without one, no such topic or queue exists. */
  deadLetterQueue?: string;
  /** Kafka with a dead letter: `<group>.replay`, read by this consumer alone (dead-letter replay). */
  replayTopic?: string;
  /** Pauses the consumer while its handlers keep failing (docs/spec.md, "Circuit breaker"). */
  circuitBreaker?: IRCircuitBreaker;
  /** "none" for a window consumer: its window store records the events added. */
  idempotency: "none" | "memory" | "redis" | "postgres";
  /** How long the store remembers a handled event. */
  idempotencyTtlMs: number;
  /** Set for a window consumer: its handler module is an aggregate, not handlers. */
  window?: IRWindow;
  /** Project-relative paths, computed once. */
  files: {
    generated: string; // src/generated/consumers/<name>.ts
    handler: string; // src/handlers/<name>.ts
    test: string; // test/<name>.test.ts
  };
}

export interface IR<N extends Broker = Broker> {
  specVersion: 1;
  service: string;
  description?: string;
  /** `description` with the comment terminator escaped (`*\/`), safe to print inside a doc comment. */
  doc?: string;
  broker: N;
  /** CloudEvents source: "/<service>". */
  source: string;
  /** Its broker's settings only (the spec's block under the broker's name, defaults applied). */
  settings: BrokerSettings[N];
  /** Dependencies first (so schemas can be declared in order), otherwise by name. */
  types: IRNamedType[];
  events: IREvent[]; // sorted by type
  consumers: IRConsumer[]; // sorted by name
  /** Kafka: every event topic, sorted and distinct. */
  topics: string[];
  /** Which idempotency stores any consumer uses (decides runtime files and dependencies). */
  idempotencyStores: Array<"memory" | "redis" | "postgres">;
  /** Which window stores any window consumer uses (runtime files, dependencies). */
  windowStores: Array<"memory" | "redis" | "postgres">;
}
