// Hand-written service definitions for runtime tests: what the generator would emit for a small
// shop, with consumers assembled per test.
import { z } from "zod";
import type {
  CloudEventAttributes,
  ConsumerDef,
  DeadLetterDef,
  Logger,
  ServiceDef,
} from "../../templates/runtime/core/types.js";

export const orderCreatedV1 = z.looseObject({
  orderId: z.uuid(),
  userId: z.string(),
  total: z.number().min(0),
  currency: z.enum(["EUR", "USD"]).default("EUR"),
  channel: z.enum(["email", "sms"]).optional(),
});
export const orderShippedV1 = z.looseObject({ orderId: z.uuid(), carrier: z.string() });
export const orderShippedV2 = z.looseObject({
  orderId: z.uuid(),
  carrier: z.string(),
  trackingUrl: z.url().optional(),
});
export const notificationSentV1 = z.looseObject({ orderId: z.uuid(), channel: z.string() });

/** What producers pass (defaults may be omitted). */
export interface Payloads {
  "order.created": z.input<typeof orderCreatedV1>;
  "order.shipped": z.input<typeof orderShippedV2>;
  "notification.sent": z.input<typeof notificationSentV1>;
}

/** What handlers receive, by version. */
export interface Versions {
  "order.created": { 1: z.output<typeof orderCreatedV1> };
  "order.shipped": { 1: z.output<typeof orderShippedV1>; 2: z.output<typeof orderShippedV2> };
  "notification.sent": { 1: z.output<typeof notificationSentV1> };
}

const events: ServiceDef["events"] = {
  "order.created": {
    type: "order.created",
    latest: 1,
    versions: { 1: orderCreatedV1 },
    key: "orderId",
    topic: "orders",
  },
  "order.shipped": {
    type: "order.shipped",
    latest: 2,
    versions: { 1: orderShippedV1, 2: orderShippedV2 },
    key: "orderId",
    topic: "orders",
  },
  "notification.sent": {
    type: "notification.sent",
    latest: 1,
    versions: { 1: notificationSentV1 },
    topic: "notification.sent",
  },
};

export type ConsumerSpec = Partial<Omit<ConsumerDef, "name" | "retry">> & {
  on: string[];
  retry?: Partial<ConsumerDef["retry"]>;
};

export function consumerDef(service: string, name: string, { deadLetter, ...spec }: ConsumerSpec): ConsumerDef {
  const group = `${service}.${name}`;
  const delaysMs = spec.retry?.delaysMs ?? [20, 40];
  const attempts = spec.retry?.attempts ?? delaysMs.length + 1;
  // Without a dead letter, no name of one (as the generator writes it).
  const { deadLetterQueue = `${group}.dlq`, replayTopic, ...settings } = spec;
  const deadLetterDef: DeadLetterDef =
    deadLetter === false
      ? { deadLetter: false }
      : { deadLetter: true, deadLetterQueue, ...(replayTopic === undefined ? {} : { replayTopic }) };
  return {
    name,
    group,
    emits: [],
    topics: [...new Set(spec.on.map((type) => events[type]!.topic))].sort(),
    filter: [],
    concurrency: 1,
    timeoutMs: 2000,
    retryQueues: Array.from({ length: attempts - 1 }, (_, k) => `${group}.retry-${k + 1}`),
    idempotency: "none",
    idempotencyTtlMs: 7 * 24 * 60 * 60 * 1000,
    ...settings,
    ...deadLetterDef,
    retry: {
      attempts,
      delayMs: delaysMs[0] ?? 0,
      backoff: "exponential",
      maxDelayMs: 60_000,
      mode: "non-blocking",
      delaysMs,
      ...spec.retry,
    },
  };
}

/** The shop service on Kafka with the given consumers. */
export function shopService(consumers: Record<string, ConsumerSpec> = {}, service = "shop"): ServiceDef<"kafka"> {
  return {
    service,
    source: `/${service}`,
    broker: "kafka",
    kafka: { brokers: ["127.0.0.1:9092"], partitions: 3, replicationFactor: 1 },
    events,
    consumers: Object.fromEntries(
      Object.entries(consumers).map(([name, spec]) => [name, consumerDef(service, name, spec)]),
    ),
  };
}

/** The same service on RabbitMQ, with the settings the generator derives for it (consumers unchanged). */
export function onRabbitMQ({ kafka: _kafka, ...service }: ServiceDef<"kafka">): ServiceDef<"rabbitmq"> {
  return {
    ...service,
    broker: "rabbitmq",
    rabbitmq: {
      url: "amqp://guest:guest@127.0.0.1:5672",
      exchange: `${service.service}.events`,
      unrouted: `${service.service}.unrouted`,
      queueType: "quorum",
      prefetch: 50,
    },
  };
}

export const ORDER_ID = "6f1c1b0e-8a0e-4c53-9a4e-1d2f3a4b5c6d";

export function order(overrides: Partial<Payloads["order.created"]> = {}): Payloads["order.created"] {
  return { orderId: ORDER_ID, userId: "u-1", total: 42.5, ...overrides };
}

/** The CloudEvents attributes of an order.created event from "/shop", as a consumer reads them. */
export function orderAttributes(
  overrides: Partial<Omit<CloudEventAttributes, "extensions">> = {},
): Omit<CloudEventAttributes, "extensions"> {
  return {
    id: "e-1",
    type: "order.created",
    source: "/shop",
    specversion: "1.0",
    time: "2025-01-01T00:00:00.000Z",
    dataversion: "1",
    dataschema: "urn:evgen:order.created:v1",
    datacontenttype: "application/json",
    ...overrides,
  };
}

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  obj: Record<string, unknown>;
  msg?: string;
}

/** A logger that keeps its lines for assertions. */
export function recordingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const write = (level: LogLine["level"]) => (obj: object, msg?: string) =>
      lines.push({ level, obj: { ...bindings, ...obj }, ...(msg === undefined ? {} : { msg }) });
    return {
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return { log: make({}), lines };
}
