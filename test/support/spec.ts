// evgen.yaml texts for the tests that generate and run a whole project, built from objects so that
// the events and consumers several specs share are written once.
import { stringify } from "yaml";

export type Broker = "kafka" | "rabbitmq";

export interface EventSpec {
  key?: string;
  topic?: string;
  /** Field name (with "?" when optional) -> type. */
  schema: Record<string, string>;
}

export interface ConsumerSpec {
  on: string[];
  emits?: string[];
  retry?: { attempts: number; delay: string; backoff: "fixed" | "exponential"; mode?: "blocking" };
  filter?: Record<string, string | number | Record<string, unknown>>;
  idempotency?: "postgres" | "redis" | "memory" | "none";
  concurrency?: number;
  window?: { size: string; by: string; grace?: string; store?: "memory" | "redis" | "postgres" };
}

export interface ServiceSpec {
  service: string;
  broker: Broker;
  kafka?: { client?: "kafkajs" | "platformatic"; topicDefaults?: { partitions?: number } };
  rabbitmq?: { prefetch?: number };
  events: Record<string, EventSpec>;
  consumers: Record<string, ConsumerSpec>;
}

/** The text of evgen.yaml for `spec`. */
export const specText = (spec: ServiceSpec): string => stringify({ evgen: 1, ...spec });

/** A topic of the service's own on Kafka (none on RabbitMQ, where the exchange is the service's). */
export const ownTopic = (spec: Pick<ServiceSpec, "service" | "broker">, name: string): { topic?: string } =>
  spec.broker === "kafka" ? { topic: `${spec.service}.${name}` } : {};

/** The event "notification.sent", which the mailer publishes. */
export const notificationSent = (topic: { topic?: string } = {}): EventSpec => ({
  ...topic,
  schema: { orderId: "uuid", channel: "string" },
});

/** The consumer "mailer" of order.created: publishes notification.sent, three attempts `delay` apart. */
export const mailer = (delay: string): ConsumerSpec => ({
  on: ["order.created"],
  emits: ["notification.sent"],
  retry: { attempts: 3, delay, backoff: "fixed" },
});

/** The consumer "notifier" of notification.sent. */
export const notifier: ConsumerSpec = { on: ["notification.sent"] };
