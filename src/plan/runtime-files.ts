// Which runtime modules a project needs: broker-specific ones only for its broker (on Kafka, only
// its client's: `kafka-platformatic*` for @platformatic/kafka, the other `kafka*` files for
// kafkajs, beside the client-neutral wire format), the Redis and PostgreSQL idempotency and window
// stores only when a consumer uses them, never the runtime's own tests.
import type { IR } from "../ir/types.js";

/** Kafka runtime files that import no client library. */
const KAFKA_NEUTRAL = new Set(["kafka-headers.ts", "kafka-probe.ts", "kafka-retry-copies.ts", "kafka-service-topics.ts"]);

function neededOnKafka(ir: IR, file: string): boolean {
  if (ir.broker !== "kafka") return false;
  if (KAFKA_NEUTRAL.has(file)) return true;
  return file.startsWith("kafka-platformatic") === (ir.kafkaClient === "platformatic");
}

function needed(ir: IR, file: string): boolean {
  if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.endsWith(".d.ts")) return false;
  if (file.startsWith("kafka")) return neededOnKafka(ir, file);
  if (file.startsWith("rabbitmq")) return ir.broker === "rabbitmq";
  if (file === "idempotency-redis.ts") return ir.idempotencyStores.includes("redis");
  if (file === "idempotency-postgres.ts") return ir.idempotencyStores.includes("postgres");
  if (file === "window-redis.ts") return ir.windowStores.includes("redis");
  if (file === "window-postgres.ts") return ir.windowStores.includes("postgres");
  return true;
}

export function selectRuntimeFiles(ir: IR, available: readonly string[]): string[] {
  return available.filter((file) => needed(ir, file));
}
