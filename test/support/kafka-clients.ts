// The Kafka clients a generated service can use (spec `kafka.client`), each with its transport:
// every Kafka suite runs once per client, through describe.each(KAFKA_CLIENTS).
import { createKafkaTransport as kafkajsTransport } from "../../templates/runtime/kafka/kafkajs/transport.js";
import { createKafkaTransport as platformaticTransport } from "../../templates/runtime/kafka/platformatic/transport.js";
import type { LagMetrics } from "../../templates/runtime/core/metrics.js";
import type { Logger, ServiceDef, Transport } from "../../templates/runtime/core/types.js";

export type KafkaClientName = "kafkajs" | "platformatic";

/** What the tests pass to either transport. */
export interface TestTransportOptions {
  service: ServiceDef;
  brokers: string[];
  clientId: string;
  log: Logger;
  sessionTimeoutMs?: number;
  metrics?: LagMetrics;
}

export interface KafkaClient {
  client: KafkaClientName;
  createKafkaTransport(options: TestTransportOptions): Transport;
}

export const KAFKA_CLIENTS: KafkaClient[] = [
  { client: "kafkajs", createKafkaTransport: kafkajsTransport },
  { client: "platformatic", createKafkaTransport: platformaticTransport },
];

export function kafkaClient(name: string | undefined): KafkaClient {
  const found = KAFKA_CLIENTS.find((c) => c.client === (name ?? "kafkajs"));
  if (!found) throw new Error(`unknown Kafka client ${name}`);
  return found;
}
