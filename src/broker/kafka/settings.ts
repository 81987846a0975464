// What the IR keeps of Kafka's block of the spec: `ir.settings` of a Kafka spec. It is added to the
// IR's BrokerSettings (src/ir/types.ts) under the broker's name, so the IR names no broker itself.
import { sortedRecord } from "../../ir/sorted.js";
import type { Spec } from "../../spec/schema/spec.js";
import type { KafkaClient } from "./spec.js";

/** servers: named environments, picked with EVGEN_SERVER at run time (present only when the spec names some). */
export interface KafkaSettings {
  /** The client library the generated runtime uses; picks runtime files and the dependency. */
  client: KafkaClient;
  brokers: string[];
  servers?: Record<string, string[]>;
  partitions: number;
  replicationFactor: number;
}

declare module "../../ir/types.js" {
  interface BrokerSettings {
    kafka: KafkaSettings;
  }
}

export function kafkaSettings(spec: Spec): KafkaSettings {
  const block = spec.kafka;
  return {
    client: block.client,
    brokers: [...block.brokers],
    ...(block.servers ? { servers: sortedRecord(block.servers) } : {}),
    ...block.topicDefaults,
  };
}
