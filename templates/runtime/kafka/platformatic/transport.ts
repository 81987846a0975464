// The Kafka transport on @platformatic/kafka: the same topics, headers, retries, dead letters,
// lag metric and shutdown as the kafkajs one (../kafkajs/transport.ts), which the tests hold both to.
import { Admin } from "@platformatic/kafka";
import type { ConnectionOptions } from "node:tls";
import type { KafkaSaslMechanism } from "../config.js";
import { errorMessage } from "../../core/errors.js";
import { attributeHeaders } from "../headers.js";
import { clientOptions, type KafkaConnection } from "./client.js";
import { subscribeConsumer, type GroupProtocol, type KafkaSubscription } from "./consumer.js";
import { startHealthProbe, type HealthProbe } from "./health.js";
import { createRecordSender } from "./producer.js";
import { ensureTopics } from "./topics.js";
import type { LagMetrics } from "../../core/metrics.js";
import type { Logger, OutgoingMessage, ServiceDef, Transport } from "../../core/types.js";

export interface KafkaTransportOptions {
  service: ServiceDef<"kafka">;
  brokers: string[];
  clientId: string;
  log: Logger;
  ssl?: boolean | ConnectionOptions;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** How long a crashed instance keeps its partitions before the group moves them (default 30 s). */
  sessionTimeoutMs?: number;
  /**
   * The consumer group protocol: `classic` (the default), `consumer` (KIP-848), or `auto`: consumer
   * where the broker speaks it, else classic (docs/spec.md, Consumer groups).
   */
  groupProtocol?: GroupProtocolSetting;
  /** Where consumers report their lag. */
  metrics?: LagMetrics;
}

export type GroupProtocolSetting = "auto" | GroupProtocol;

// The request KIP-848 members heartbeat with: a broker that lists it runs the consumer protocol.
const CONSUMER_GROUP_HEARTBEAT = 68;

/** The protocol `setting` comes to with the broker `admin` talks to. */
async function groupProtocolOf(admin: Admin, setting: GroupProtocolSetting, log: Logger): Promise<GroupProtocol> {
  if (setting !== "auto") return setting;
  try {
    const apis = await admin.listApis();
    return apis.some((api) => api.apiKey === CONSUMER_GROUP_HEARTBEAT) ? "consumer" : "classic";
  } catch (error) {
    log.warn({ err: errorMessage(error) }, "could not ask the broker for its APIs: classic consumer groups");
    return "classic";
  }
}

const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  const { service, log, clientId } = options;
  const connection: KafkaConnection = {
    brokers: options.brokers,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
  };
  const sender = createRecordSender(connection, clientId, log);
  const subscriptions = new Set<KafkaSubscription>();
  let connecting: Promise<void> | undefined;
  let health: HealthProbe | undefined;
  let connected = false;
  let closed = false;
  let groupProtocol: GroupProtocol = "classic";

  async function provision(): Promise<void> {
    const admin = new Admin(clientOptions(connection, `${clientId}-admin`));
    try {
      await ensureTopics(admin, service, log);
      if (Object.keys(service.consumers).length > 0)
        groupProtocol = await groupProtocolOf(admin, options.groupProtocol ?? "classic", log);
    } finally {
      await admin.close();
    }
    await sender.connect();
    health = startHealthProbe(connection, clientId, log);
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
          key: key ?? null,
          value: body,
          headers: attributeHeaders(attributes),
        })),
      );
    },

    async subscribe(consumer, handle, circuit) {
      await connect();
      const subscription = await subscribeConsumer(
        {
          connection,
          clientId,
          send: sender.send,
          log,
          sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
          groupProtocol,
          ...(options.metrics ? { metrics: options.metrics } : {}),
        },
        consumer,
        handle,
        circuit,
      );
      subscriptions.add(subscription);
      return {
        async stop() {
          await subscription.stop();
          subscriptions.delete(subscription);
        },
      };
    },

    isReady: () => connected && !closed && health?.reachable === true && [...subscriptions].every((s) => s.isAlive()),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...subscriptions].map((subscription) => subscription.stop()));
      subscriptions.clear();
      if (connecting) await connecting.catch(() => undefined);
      await health?.stop();
      await sender.close();
      connected = false;
    },
  };
}
