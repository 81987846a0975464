// Which runtime modules a project needs, by folder of templates/runtime: core/ and memory/ always;
// kafka/ (client-neutral wire format) plus the folder of its Kafka client, or rabbitmq/, for its
// broker; from stores/, the Redis and PostgreSQL idempotency and window stores only when a consumer
// uses them; never the runtime's own tests.
import type { IR } from "../ir/types.js";

function neededStore(ir: IR, name: string): boolean {
  const [kind, store] = name.split("-") as [string, string];
  if (kind === "idempotency") return (ir.idempotencyStores as readonly string[]).includes(store);
  if (kind === "window") return (ir.windowStores as readonly string[]).includes(store);
  return false;
}

function needed(ir: IR, file: string): boolean {
  if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.endsWith(".d.ts")) return false;
  const parts = file.slice(0, -".ts".length).split("/");
  switch (parts[0]) {
    case "core":
    case "memory":
      return true;
    case "kafka":
      if (ir.broker !== "kafka") return false;
      return parts.length === 2 || parts[1] === ir.kafkaClient;
    case "rabbitmq":
      return ir.broker === "rabbitmq";
    case "stores":
      return parts.length === 2 && neededStore(ir, parts[1]!);
    default:
      return false;
  }
}

/** The runtime files (paths relative to templates/runtime) a project of this IR ships. */
export function selectRuntimeFiles(ir: IR, available: readonly string[]): string[] {
  return available.filter((file) => needed(ir, file));
}
