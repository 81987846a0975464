// The Kafka transport (kafkajs): provisions the service's topics, publishes CloudEvents through
// an idempotent producer, and runs one consumer-group member per subscribed consumer.
import { Kafka, Partitioners, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from "kafkajs";
import type { ConnectionOptions } from "node:tls";
import { errorMessage } from "../../core/errors.js";
import { subscribeConsumer, type KafkaSubscription } from "./consumer.js";
import { attributeHeaders } from "../headers.js";
import { startHealthProbe, type HealthProbe } from "./health.js";
import { createRecordSender } from "./producer.js";
import { ensureTopics } from "./topics.js";
import "./timers.js"; // before any kafkajs client exists: no negative timers on Node 24
import type { LagMetrics } from "../../core/metrics.js";
import type { Logger, OutgoingMessage, ServiceDef, Transport } from "../../core/types.js";

export interface KafkaTransportOptions {
  service: ServiceDef<"kafka">;
  brokers: string[];
  clientId: string;
  log: Logger;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** How long a crashed instance keeps its partitions before the group moves them (default 30 s). */
  sessionTimeoutMs?: number;
  /** KAFKA_GROUP_PROTOCOL: kafkajs speaks the classic protocol only, whatever it says. */
  groupProtocol?: "auto" | "classic" | "consumer";
  /** Where consumers report their lag. */
  metrics?: LagMetrics;
}

// Enough retries, backing off to 10 s, to ride out a broker restart (about 40 s in all) before a
// publish rejects or a consumer restarts itself.
const CLIENT_RETRY = { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 };
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

// kafkajs says this whenever an idempotent producer's retries are bounded. They are on purpose: a
// publish during a long outage must reject, not hang; delivery is at-least-once either way.
const BOUNDED_RETRIES_WARNING = "Limiting retries for the idempotent producer may invalidate EoS guarantees";

/** kafkajs logs through the service logger; its own INFO lines (joins, pauses) are debug detail. */
function kafkaLogCreator(log: Logger) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      if (message === BOUNDED_RETRIES_WARNING) return;
      const obj = { kafkajs: namespace, ...fields };
      if (level === logLevel.ERROR || level === logLevel.WARN) log.warn(obj, message);
      else log.debug(obj, message);
    };
}

export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  const { service, log } = options;
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    retry: CLIENT_RETRY,
  };
  const kafka = new Kafka({ ...config, logLevel: logLevel.INFO, logCreator: kafkaLogCreator(log) });
  const sender = createRecordSender(
    () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    log,
  );
  const subscriptions = new Map<KafkaSubscription, string>();
  let connecting: Promise<void> | undefined;
  let health: HealthProbe | undefined;
  let connected = false;
  let closed = false;

  async function provision(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, service, log);
    } finally {
      await admin.disconnect();
    }
    await sender.connect();
    health = startHealthProbe(config, log);
    connected = true;
  }

  const connect = () => {
    if (closed) return Promise.reject(new Error("the Kafka transport is closed"));
    // Connect once; a failed attempt is retried by the next call.
    return (connecting ??= provision().catch((error: unknown) => {
      connecting = undefined;
      log.error({ err: errorMessage(error) }, "could not connect to Kafka");
      throw error;
    }));
  };

  return {
    kind: "kafka",
    connect,

    async publish(messages: OutgoingMessage[]) {
      await connect();
      await sender.send(
        messages.map(({ topic, key, body, attributes }) => ({
          topic,
          message: { key: key ?? null, value: body, headers: attributeHeaders(attributes) },
        })),
      );
    },

    async subscribe(consumer, handle, circuit) {
      await connect();
      const subscription = await subscribeConsumer(
        {
          kafka,
          send: sender.send,
          log,
          sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
          ...(options.metrics ? { metrics: options.metrics } : {}),
        },
        consumer,
        handle,
        circuit,
      );
      subscriptions.set(subscription, consumer.name);
      return {
        async stop() {
          await subscription.stop();
          subscriptions.delete(subscription);
        },
      };
    },

    // Ready once every consumer has joined its group (a rebalance later does not count against it).
    isReady: () =>
      connected &&
      !closed &&
      health?.reachable === true &&
      [...subscriptions.keys()].every((s) => s.state() === "joined" || s.state() === "rebalancing"),

    consumerStates: () =>
      Object.fromEntries([...subscriptions].map(([subscription, name]) => [name, subscription.state()])),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...subscriptions.keys()].map((subscription) => subscription.stop()));
      subscriptions.clear();
      if (connecting) await connecting.catch(() => undefined);
      await health?.stop();
      await sender.close();
      connected = false;
    },
  };
}
