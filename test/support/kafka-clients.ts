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
  // KAFKA_GROUP_PROTOCOL (classic, consumer, auto) picks its group protocol, as in a generated service.
  {
    client: "platformatic",
    createKafkaTransport: (options) =>
      platformaticTransport({
        ...(options as Parameters<typeof platformaticTransport>[0]),
        ...groupProtocolOf(process.env.KAFKA_GROUP_PROTOCOL),
      }),
  },
];

function groupProtocolOf(setting: string | undefined): { groupProtocol?: "auto" | "classic" | "consumer" } {
  return setting === "auto" || setting === "classic" || setting === "consumer" ? { groupProtocol: setting } : {};
}

export function kafkaClient(name: string | undefined): KafkaClient {
  const found = KAFKA_CLIENTS.find((c) => c.client === (name ?? "kafkajs"));
  if (!found) throw new Error(`unknown Kafka client ${name}`);
  return found;
}
