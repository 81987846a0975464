// What every @platformatic/kafka client of the service shares: the brokers, TLS and SASL, and the
// retries that ride out a broker restart, as the kafkajs runtime does (docs/architecture.md).
import type { BaseOptions, SASLMechanismValue } from "@platformatic/kafka";
import type { ConnectionOptions } from "node:tls";
import type { KafkaSaslMechanism } from "../config.js";

export interface KafkaConnection {
  brokers: string[];
  ssl?: boolean | ConnectionOptions;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

const MECHANISMS: Record<KafkaSaslMechanism, SASLMechanismValue> = {
  plain: "PLAIN",
  "scram-sha-256": "SCRAM-SHA-256",
  "scram-sha-512": "SCRAM-SHA-512",
};

// Eight retries backing off from 300 ms to 10 s: about 40 s, enough for a broker restart, before an
// operation fails for the caller (a publish rejects, a consumer restarts itself).
const RETRIES = 8;
const retryDelay = (_client: unknown, _operation: string, attempt: number) => Math.min(10_000, 300 * 2 ** attempt);

function tlsOf(ssl: KafkaConnection["ssl"]): ConnectionOptions | undefined {
  if (ssl === undefined || ssl === false) return undefined;
  return ssl === true ? {} : ssl;
}

/** Options of a client named `clientId`; `retries: 0` for one that must fail fast (the health probe). */
export function clientOptions(connection: KafkaConnection, clientId: string, retries = RETRIES): BaseOptions {
  const tls = tlsOf(connection.ssl);
  const { sasl } = connection;
  return {
    clientId,
    bootstrapBrokers: connection.brokers,
    retries,
    retryDelay,
    autocreateTopics: false,
    ...(tls ? { tls } : {}),
    ...(sasl
      ? { sasl: { mechanism: MECHANISMS[sasl.mechanism], username: sasl.username, password: sasl.password } }
      : {}),
  };
}

/** Strings (evgen's own headers and keys) and Buffers (copied ones) both go out as bytes. */
export function toBytes(value?: Buffer | string | Array<Buffer | string>): Buffer | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? Buffer.from(first) : first;
}
