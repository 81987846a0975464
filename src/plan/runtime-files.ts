// Which runtime modules a project needs: broker-specific ones only for its broker, the Redis and
// PostgreSQL idempotency stores only when a consumer uses them, never the runtime's own tests.
import type { IR } from "../ir/types.js";

function needed(ir: IR, file: string): boolean {
  if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.endsWith(".d.ts")) return false;
  if (file.startsWith("kafka")) return ir.broker === "kafka";
  if (file.startsWith("rabbitmq")) return ir.broker === "rabbitmq";
  if (file === "idempotency-redis.ts") return ir.idempotencyStores.includes("redis");
  if (file === "idempotency-postgres.ts") return ir.idempotencyStores.includes("postgres");
  return true;
}

export function selectRuntimeFiles(ir: IR, available: readonly string[]): string[] {
  return available.filter((file) => needed(ir, file));
}
