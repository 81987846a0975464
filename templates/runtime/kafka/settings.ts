// Kafka's settings from the spec, as a ServiceDef holds them under `kafka`: this file adds them to
// core's BrokerSettings (core/types.ts names no broker), which makes "kafka" a Broker.

/** servers: named environments of the spec, picked with EVGEN_SERVER (docs/spec.md). */
export interface KafkaSettings {
  brokers: string[];
  servers?: Record<string, string[]>;
  partitions: number;
  replicationFactor: number;
}

declare module "../core/types.js" {
  interface BrokerSettings {
    kafka: KafkaSettings;
  }
}
