// Kafka's block of the spec (`kafka:`, docs/spec.md). It sits on the spec's ground floor: it imports
// only from src/spec/, and src/spec/schema/brokers.ts gathers every broker's block.
import * as z from "zod";
import { BROKER_ADDRESS, SERVER_NAME } from "../../spec/patterns.js";
import { matching } from "../../spec/schema/common.js";
import { DEFAULT_KAFKA_BROKERS, TOPIC_DEFAULTS } from "./defaults.js";

/** The Kafka client libraries a generated service can use (docs/spec.md). */
export const KAFKA_CLIENTS = ["kafkajs", "platformatic"] as const;
export type KafkaClient = (typeof KAFKA_CLIENTS)[number];

export const kafkaSection = z
  .strictObject({
    client: z
      .enum(KAFKA_CLIENTS)
      .default("kafkajs")
      .describe(
        "The Kafka client library: kafkajs, or platformatic (@platformatic/kafka, Node >= 22.22). Same topics, headers and behaviour either way. Default kafkajs.",
      ),
    brokers: z
      .array(matching(BROKER_ADDRESS, "a broker address is host:port"))
      .min(1)
      .default(DEFAULT_KAFKA_BROKERS)
      .describe("Bootstrap brokers (host:port). KAFKA_BROKERS (comma-separated) overrides at run time."),
    servers: z
      .record(
        matching(SERVER_NAME, "server names are [a-z][a-z0-9-]*"),
        z.array(matching(BROKER_ADDRESS, "a broker address is host:port")).min(1),
      )
      .optional()
      .describe(
        "Named environments (production: [host:port, ...]); EVGEN_SERVER=<name> picks one at run time instead of brokers.",
      ),
    topicDefaults: z
      .strictObject({
        partitions: z
          .int()
          .min(1)
          .max(10_000)
          .default(TOPIC_DEFAULTS.partitions)
          .describe(`Partitions of topics evgen creates. Default ${TOPIC_DEFAULTS.partitions}.`),
        replicationFactor: z
          .int()
          .min(1)
          .max(32_767)
          .default(TOPIC_DEFAULTS.replicationFactor)
          .describe(`Replicas of topics evgen creates. Default ${TOPIC_DEFAULTS.replicationFactor}.`),
      })
      .prefault({}),
  })
  .describe("Read only when broker is kafka.");

export type KafkaBlock = z.output<typeof kafkaSection>;
