// Kafka's part of the configuration (core/config.ts reads it with the variables every service has):
// the KAFKA_* variables, the connection they give with the spec's settings, and their checks.
import { z } from "zod";
import { commaList, SHUTDOWN_TIMEOUT_DEFAULT_MS, wholeNumber, type BrokerConfigPart } from "../core/config.js";
import type { KafkaSettings } from "./settings.js";

export type KafkaSaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaConnectionConfig {
  brokers: string[];
  ssl: boolean;
  /** How long the group waits for a silent member (a killed process) before reassigning its partitions. */
  sessionTimeoutMs: number;
  /** The consumer group protocol of kafka.client platformatic (kafkajs speaks classic only). */
  groupProtocol: "auto" | "classic" | "consumer";
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

declare module "../core/config.js" {
  interface BrokerConnections {
    kafka: { kafka: KafkaConnectionConfig };
  }
}

const SESSION_TIMEOUT_DEFAULT_MS = 30_000;

const variables = z.object({
  KAFKA_BROKERS: z
    .string()
    .transform(commaList)
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, "must be a comma-separated list of host:port")).min(1))
    .optional(),
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((text) => text.toLowerCase())
    .pipe(z.enum(["plain", "scram-sha-256", "scram-sha-512"], "must be plain, scram-sha-256 or scram-sha-512"))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SESSION_TIMEOUT_MS: wholeNumber(6_000, 300_000, SESSION_TIMEOUT_DEFAULT_MS, " of milliseconds"),
  KAFKA_GROUP_PROTOCOL: z.enum(["auto", "classic", "consumer"], "must be auto, classic or consumer").default("classic"),
  KAFKA_SSL: z
    .enum(["true", "false", "1", "0"], "must be true or false")
    .transform((text) => text === "true" || text === "1")
    .default(false),
});

/** The spec's brokers: those of the server EVGEN_SERVER names, else its `brokers`. */
const specBrokers = (settings: KafkaSettings, server: string | undefined): string[] =>
  (server ? settings.servers?.[server] : undefined) ?? settings.brokers;

export const kafkaConfig: BrokerConfigPart<"kafka"> = {
  broker: "kafka",
  connection: (service, server) =>
    variables.transform((v) => {
      const sasl =
        v.KAFKA_SASL_MECHANISM && v.KAFKA_SASL_USERNAME && v.KAFKA_SASL_PASSWORD
          ? { mechanism: v.KAFKA_SASL_MECHANISM, username: v.KAFKA_SASL_USERNAME, password: v.KAFKA_SASL_PASSWORD }
          : undefined;
      return {
        kafka: {
          brokers: v.KAFKA_BROKERS ?? specBrokers(service.kafka, server),
          ssl: v.KAFKA_SSL,
          sessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
          groupProtocol: v.KAFKA_GROUP_PROTOCOL,
          ...(sasl ? { sasl } : {}),
        },
      };
    }),
  servers: (service) => Object.keys(service.kafka.servers ?? {}),
  problems(_service, env, running) {
    const problems: string[] = [];
    if (env.KAFKA_SASL_MECHANISM) {
      for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"]) {
        if (!env[name]) problems.push(`${name}: required when KAFKA_SASL_MECHANISM is set`);
      }
    }
    // A member still stopping when its session times out has its partitions handed to another
    // while its handlers run: the stop must end (and leave the group) within the session timeout.
    const shutdownMs = Number(env.SHUTDOWN_TIMEOUT ?? SHUTDOWN_TIMEOUT_DEFAULT_MS);
    const sessionMs = Number(env.KAFKA_SESSION_TIMEOUT_MS ?? SESSION_TIMEOUT_DEFAULT_MS);
    if (env.EVGEN_TRANSPORT !== "memory" && running.length > 0 && shutdownMs >= sessionMs) {
      problems.push(
        `SHUTDOWN_TIMEOUT: must be below KAFKA_SESSION_TIMEOUT_MS (${sessionMs}), so that a stopping consumer leaves its group before the group gives its partitions away`,
      );
    }
    return problems;
  },
  echoed: ["KAFKA_BROKERS", "KAFKA_SASL_MECHANISM", "KAFKA_SSL", "KAFKA_SESSION_TIMEOUT_MS", "KAFKA_GROUP_PROTOCOL"],
  keepsUnrouted: false,
};
