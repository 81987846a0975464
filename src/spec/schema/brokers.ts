import * as z from "zod";
import type { BrokerName } from "../broker-names.js";
import { BROKER_ADDRESS, EXCHANGE_NAME, RABBITMQ_NAME_MAX_BYTES, SERVER_NAME } from "../patterns.js";
import { matching } from "./common.js";

export const DEFAULT_KAFKA_BROKERS = ["127.0.0.1:9092"];
export const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

/** The Kafka client libraries a generated service can use (docs/spec.md). */
export const KAFKA_CLIENTS = ["kafkajs", "platformatic"] as const;

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
        partitions: z.int().min(1).max(10_000).default(3).describe("Partitions of topics evgen creates. Default 3."),
        replicationFactor: z
          .int()
          .min(1)
          .max(32_767)
          .default(1)
          .describe("Replicas of topics evgen creates. Default 1."),
      })
      .prefault({}),
  })
  .describe("Read only when broker is kafka.");

export const rabbitmqSection = z
  .strictObject({
    url: z
      .string()
      .refine(isAmqpUrl, { error: (issue) => `'${String(issue.input)}' is not an amqp:// or amqps:// URL` })
      .default(DEFAULT_AMQP_URL)
      .describe("AMQP_URL overrides at run time."),
    servers: z
      .record(
        matching(SERVER_NAME, "server names are [a-z][a-z0-9-]*"),
        z
          .string()
          .refine(isAmqpUrl, { error: (issue) => `'${String(issue.input)}' is not an amqp:// or amqps:// URL` }),
      )
      .optional()
      .describe(
        "Named environments (production: amqps://host/vhost); EVGEN_SERVER=<name> picks one at run time instead of url.",
      ),
    exchange: matching(EXCHANGE_NAME, "exchange names are letters, digits, '.', '_', ':' and '-'")
      .max(RABBITMQ_NAME_MAX_BYTES, `an exchange name has at most ${RABBITMQ_NAME_MAX_BYTES} characters`)
      .refine((name) => !name.startsWith("amq."), "exchange names starting with 'amq.' are reserved by RabbitMQ")
      .optional()
      .describe("Durable topic exchange for the service's events. Default <service>.events."),
    queueType: z.enum(["quorum", "classic"]).default("quorum").describe("Default quorum."),
    prefetch: z.int().min(1).max(65_535).default(50).describe("Unacknowledged deliveries per consumer. Default 50."),
  })
  .describe("Read only when broker is rabbitmq.");

/**
 * Each broker's settings block of the spec, under its name; a spec may hold every block, and only
 * its broker's is read. Keyed by BROKER_NAMES, so a broker named there cannot lack its block.
 */
export const brokerSections = {
  kafka: kafkaSection.prefault({}),
  rabbitmq: rabbitmqSection.prefault({}),
} satisfies Record<BrokerName, z.ZodType>;

function isAmqpUrl(text: string): boolean {
  try {
    return ["amqp:", "amqps:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
