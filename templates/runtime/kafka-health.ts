// Broker reachability for readiness: kafkajs hides connection loss behind its retries, so a
// separate client without retries asks the cluster for its metadata every few seconds.
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { errorMessage } from "./errors.js";
import type { Logger } from "./types.js";

const PROBE_INTERVAL_MS = 2000;

export interface HealthProbe {
  readonly reachable: boolean;
  stop(): Promise<void>;
}

export function startHealthProbe(config: KafkaConfig, log: Logger): HealthProbe {
  const admin = new Kafka({
    ...config,
    clientId: `${config.clientId ?? "evgen"}-health`,
    retry: { retries: 0 },
    requestTimeout: PROBE_INTERVAL_MS,
    logLevel: logLevel.NOTHING,
  }).admin();
  let reachable = true;
  let probing: Promise<void> | undefined;

  const probe = async () => {
    try {
      await admin.connect();
      await admin.describeCluster();
      if (!reachable) log.info({}, "Kafka is reachable again");
      reachable = true;
    } catch (error) {
      if (reachable) log.warn({ err: errorMessage(error) }, "Kafka is not reachable");
      reachable = false;
    }
  };
  const timer = setInterval(() => {
    probing ??= probe().finally(() => (probing = undefined));
  }, PROBE_INTERVAL_MS);
  timer.unref();

  return {
    get reachable() {
      return reachable;
    },
    async stop() {
      clearInterval(timer);
      await probing;
      await admin.disconnect();
    },
  };
}
