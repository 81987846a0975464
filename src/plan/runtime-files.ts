// Which runtime modules a project needs, by folder of templates/runtime: `core/` and the in-memory
// dev transport (`memory/`) always; the folders its broker's descriptor names (src/broker/: on
// Kafka the client-neutral `kafka/` and its client's `kafka/kafkajs/` or `kafka/platformatic/`);
// from `stores/`, the Redis and PostgreSQL idempotency and window stores only when a consumer uses
// them; never the runtime's own tests.
import { brokerOf } from "../broker/index.js";
import type { IR } from "../ir/types.js";

const ALWAYS = ["core", "memory"];

/** The runtime files (paths relative to templates/runtime) a project of this IR ships. */
export function selectRuntimeFiles(ir: IR, available: readonly string[]): string[] {
  const folders = new Set([...ALWAYS, ...brokerOf(ir.broker).runtimeFolders(ir)]);
  const stores = new Set([
    ...ir.idempotencyStores.map((store) => `stores/idempotency-${store}.ts`),
    ...ir.windowStores.map((store) => `stores/window-${store}.ts`),
  ]);
  return available.filter((file) => {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.endsWith(".d.ts")) return false;
    return folders.has(file.slice(0, Math.max(0, file.lastIndexOf("/")))) || stores.has(file);
  });
}
