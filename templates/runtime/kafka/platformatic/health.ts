// The readiness probe (../probe.ts) on @platformatic/kafka: an admin client without retries.
import { Admin } from "@platformatic/kafka";
import { clientOptions, type KafkaConnection } from "./client.js";
import { PROBE_INTERVAL_MS, startProbe, type HealthProbe } from "../probe.js";
import type { Logger } from "../../core/types.js";

export type { HealthProbe };

export function startHealthProbe(connection: KafkaConnection, clientId: string, log: Logger): HealthProbe {
  const admin = new Admin({
    ...clientOptions(connection, `${clientId}-health`, 0),
    timeout: PROBE_INTERVAL_MS,
    connectTimeout: PROBE_INTERVAL_MS,
    requestTimeout: PROBE_INTERVAL_MS,
  });
  return startProbe(
    () => admin.metadata({ topics: [], forceUpdate: true }),
    () => admin.close(),
    log,
  );
}
