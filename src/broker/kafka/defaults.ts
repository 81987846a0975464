// What Kafka's block of the spec means when it says nothing, as plain values: the spec's schema
// (spec.ts) defaults to them, and the AsyncAPI import leaves out what says no more, without zod.

export const DEFAULT_KAFKA_BROKERS = ["127.0.0.1:9092"];

/** kafka.topicDefaults when the spec says nothing. */
export const TOPIC_DEFAULTS = { partitions: 3, replicationFactor: 1 } as const;
