// Broker reachability for readiness: the clients hide connection loss behind their retries, so a
// separate admin client without retries asks the cluster for its metadata every few seconds.
import { Admin } from "@platformatic/kafka";
import { errorMessage } from "./errors.js";
import { clientOptions, type KafkaConnection } from "./kafka-platformatic-client.js";
import type { Logger } from "./types.js";

const PROBE_INTERVAL_MS = 2000;

export interface HealthProbe {
  readonly reachable: boolean;
  stop(): Promise<void>;
}

export function startHealthProbe(connection: KafkaConnection, clientId: string, log: Logger): HealthProbe {
  const admin = new Admin({
    ...clientOptions(connection, `${clientId}-health`, 0),
    timeout: PROBE_INTERVAL_MS,
    connectTimeout: PROBE_INTERVAL_MS,
    requestTimeout: PROBE_INTERVAL_MS,
  });
  let reachable = true;
  let probing: Promise<void> | undefined;

  const probe = async () => {
    try {
      await admin.metadata({ topics: [], forceUpdate: true });
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
      await admin.close();
    },
  };
}
