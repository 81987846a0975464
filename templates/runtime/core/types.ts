// The contract between the generated definitions, the broker-neutral consumer pipeline and the
// transports (memory, and one per broker: Kafka, RabbitMQ). Transports own the wire format; the
// pipeline owns the decisions (validate, dedupe, handle, retry or dead-letter). Nothing here names a
// broker: a broker's runtime folder adds its settings to BrokerSettings (<broker>/settings.ts), its
// variables and connection to core/config.ts's BrokerConnections (<broker>/config.ts).
import type { ZodType } from "zod";
import type { CircuitBreaker, CircuitBreakerDef } from "./circuit.js";
import type { FilterDef } from "./filter.js";

/**
 * Each broker's settings from the spec, held in a ServiceDef under the broker's name. Core names no
 * broker: each broker's runtime folder adds its entry by declaration merging, in its settings.ts
 * (`declare module "../core/types.js" { interface BrokerSettings { <broker>: <Broker>Settings } }`),
 * so that a project knows the broker it ships and no other.
 */
export interface BrokerSettings {}

/** The brokers of this compilation: those whose runtime folder added its settings to BrokerSettings. */
export type Broker = keyof BrokerSettings;

export interface RetryPolicy {
  attempts: number; // deliveries in total, the first included
  delayMs: number;
  backoff: "exponential" | "fixed";
  maxDelayMs: number;
  mode: "non-blocking" | "blocking";
  /** delaysMs[k-1] = wait before attempt k+1. */
  delaysMs: number[];
}

export interface EventDef {
  type: string;
  latest: number;
  /** Zod schema of every version's payload, by version number. */
  versions: Record<number, ZodType>;
  /** Payload field used as the Kafka message key. */
  key?: string;
  topic: string;
  /** RabbitMQ: the routing key it is published with (docs/spec.md, events). */
  routingKey?: string;
  /** false: POST /events does not accept it (default true; docs/spec.md, events). */
  http?: boolean;
}

/** Tumbling windows of a window consumer (docs/spec.md, windowed aggregation). */
export interface WindowDef {
  sizeMs: number;
  graceMs: number;
  /** Dot path to the key, e.g. "data.userId": one window per value. */
  by: string;
  store: "memory" | "redis" | "postgres";
  /** The event published with each window's summary. */
  emits: string;
}

/**
 * A consumer's dead letter: its topic or queue `<group>.dlq` (and on Kafka `<group>.replay`, where
 * dead-letter replay puts events for this consumer alone), or with `deadLetter: false` no name at
 * all, since no such topic or queue exists (docs/wire-format.md).
 */
export type DeadLetterDef =
  | { deadLetter: true; deadLetterQueue: string; replayTopic?: string }
  | { deadLetter: false; deadLetterQueue?: never; replayTopic?: never };

export type ConsumerDef = ConsumerSettings & DeadLetterDef;

/** Everything of a consumer but its dead letter. */
export interface ConsumerSettings {
  name: string;
  /** Kafka group id, RabbitMQ queue: `<service>.<name>` unless the spec names it (groupId, queue). */
  group: string;
  on: string[];
  emits: string[];
  /** Kafka topics holding its events. */
  topics: string[];
  /** RabbitMQ: the routing keys its queue is bound with, those of its events. */
  routingKeys?: string[];
  filter: FilterDef[];
  concurrency: number;
  timeoutMs: number;
  retry: RetryPolicy;
  /**
   * By attempt: [k-1] holds events waiting for attempt k+1. Kafka: topics `<group>.retry-<k>`;
   * RabbitMQ: wait queues named by their delay, `<group>.retry-<delay>` (equal delays share one).
   */
  retryQueues: string[];
  /** Pauses the consumer while its handlers fail (docs/spec.md, "Circuit breaker"). */
  circuitBreaker?: CircuitBreakerDef;
  idempotency: "none" | "memory" | "redis" | "postgres";
  /** How long the store remembers a handled event (Redis keys expire, PostgreSQL rows are pruned). */
  idempotencyTtlMs: number;
  /** A window consumer: its events are folded per key and window, and each window's summary published. */
  window?: WindowDef;
}

interface ServiceBase {
  service: string;
  source: string; // CloudEvents source, "/<service>"
  events: Record<string, EventDef>;
  consumers: Record<string, ConsumerDef>;
}

/**
 * The service on one broker: `broker` names it, and only that broker's settings are held, under
 * its name. A transport takes its own broker's (ServiceDef<"kafka">); the broker-neutral runtime
 * (pipeline, HTTP, memory transport) takes any.
 */
export type ServiceDef<B extends Broker = Broker> = B extends Broker
  ? ServiceBase & { broker: B } & Pick<BrokerSettings, B>
  : never;

/** CloudEvents 1.0 context attributes as evgen sends them. */
export interface CloudEventAttributes {
  id: string;
  type: string;
  source: string;
  specversion: "1.0";
  time: string; // RFC 3339
  dataversion: string; // "1", "2", ...
  dataschema: string; // "urn:evgen:<type>:v<version>"
  datacontenttype: "application/json";
  traceparent?: string;
  /** What the event is about, within its source: kept from a CloudEvent received over HTTP. */
  subject?: string;
  /**
   * Extension attributes kept from a CloudEvent received over HTTP: names of [a-z0-9], none of
   * the attributes above. Written as headers of their own, as the named attributes are.
   */
  extensions?: Record<string, string>;
}

/** A message handed to a transport: attributes become headers, body is the JSON payload. */
export interface OutgoingMessage {
  attributes: CloudEventAttributes;
  /** Kafka topic; RabbitMQ routes by attributes.type on the service exchange instead. */
  topic: string;
  key?: string;
  body: Buffer;
}

/** A message as a transport received it, before any validation. */
export interface Delivery {
  /**
   * CloudEvents attributes and extensions found in the headers (names without prefix), possibly
   * incomplete; `datacontenttype` is the message's content type (structured mode when
   * `application/cloudevents+json`, see cloudevents.ts).
   */
  attributes: Record<string, string>;
  body: Buffer;
  key?: string;
  /** 1 for the first delivery; from x-evgen-attempt + 1 on a retry copy. */
  attempt: number;
  /** Where it came from, for logs: "orders[2]@1734" or "shop.mailer.retry-1". */
  origin: string;
  /**
   * What the transport found wrong in what only it reads (an attempt or due time out of range, a
   * header of the wrong type): the pipeline dead-letters the event as invalid.
   */
  invalid?: string;
  /**
   * Only this consumer's events reach where it came from (its RabbitMQ queue, its Kafka retry and
   * replay topics): a type it does not handle is invalid there, not another consumer's to skip.
   */
  dedicated?: boolean;
}

export type FailureKind = "error" | "timeout" | "invalid" | "non-retryable";

export interface Failure {
  kind: FailureKind;
  message: string; // ≤ 1 KiB
  attempt: number; // attempts made so far
  consumer: string; // consumer name
  failedAt: string; // RFC 3339
}

/** What the pipeline decided; the transport carries it out before committing / acking. */
export type Disposition =
  | { action: "ack"; outcome: "handled" | "skipped" | "duplicate" }
  /** Schedule attempt `failure.attempt + 1` after delayMs (retry-<attempt> queue, or in place when blocking). */
  | { action: "retry"; failure: Failure; delayMs: number }
  | {
      action: "dead-letter";
      failure: Failure;
      /** Called by the transport once the broker confirmed the dead-letter copy (it is counted then). */
      confirmed?(): void;
    }
  /** deadLetter: false and attempts exhausted: logged loudly, then acknowledged. */
  | { action: "drop"; failure: Failure }
  /**
   * Not decided: the consumer stopped while the event waited for its circuit breaker. The broker
   * delivers it again, same attempt (Kafka: offset not committed; RabbitMQ: requeued; memory: queued again).
   */
  | { action: "release" };

/** Decides at once when it can (no store to ask, a handler that returned without a promise). */
export type DeliveryHandler = (delivery: Delivery) => Disposition | Promise<Disposition>;

export interface Subscription {
  /** Stop fetching, let in-flight deliveries finish, commit/ack, release the consumer. */
  stop(): Promise<void>;
}

export interface Transport {
  readonly kind: "memory" | Broker;
  /** Connect and declare/provision everything the service needs (idempotent). */
  connect(): Promise<void>;
  /** Resolves once the broker confirmed every message; rejects if any was not accepted. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  /**
   * `circuit`, when the consumer has one: the transport stops taking deliveries while it is open
   * (or relies on the deliveries it holds, as documented per transport) and stops it on stop().
   */
  subscribe(consumer: ConsumerDef, handle: DeliveryHandler, circuit?: CircuitBreaker): Promise<Subscription>;
  /** True while the broker connection is up (and, where the transport tells, its consumers joined). */
  isReady(): boolean;
  /** Where each subscribed consumer stands, by name (for /readyz), where the transport tracks it. */
  consumerStates?(): Record<string, string>;
  close(): Promise<void>;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** A logger adding these fields to every line (pino's child); optional for hand-made loggers. */
  child?(bindings: Record<string, unknown>): Logger;
}

/** The dead-letter topic or queue of a consumer that has one; a loud error for one that has none. */
export function deadLetterQueueOf(consumer: ConsumerDef): string {
  if (consumer.deadLetterQueue === undefined) {
    throw new Error(`consumer "${consumer.name}" has no dead letter (deadLetter: false)`);
  }
  return consumer.deadLetterQueue;
}

/** Failure header names shared by every transport (the wire format). */
export const FAILURE_HEADERS = {
  attempt: "x-evgen-attempt",
  error: "x-evgen-error",
  kind: "x-evgen-error-kind",
  consumer: "x-evgen-consumer",
  failedAt: "x-evgen-failed-at",
  dueAt: "x-evgen-due-at",
} as const;
