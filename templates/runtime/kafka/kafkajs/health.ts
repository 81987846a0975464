// The readiness probe (../probe.ts) on kafkajs: an admin client without retries.
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { PROBE_INTERVAL_MS, startProbe, type HealthProbe } from "../probe.js";
import type { Logger } from "../../core/types.js";

export type { HealthProbe };

export function startHealthProbe(config: KafkaConfig, log: Logger): HealthProbe {
  const admin = new Kafka({
    ...config,
    clientId: `${config.clientId ?? "evgen"}-health`,
    retry: { retries: 0 },
    requestTimeout: PROBE_INTERVAL_MS,
    logLevel: logLevel.NOTHING,
  }).admin();
  return startProbe(
    async () => {
      await admin.connect();
      await admin.describeCluster();
    },
    () => admin.disconnect(),
    log,
  );
}
