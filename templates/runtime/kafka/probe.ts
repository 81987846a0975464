// Broker reachability for readiness, whichever Kafka client: the clients hide connection loss
// behind their retries, so a separate client without retries asks the cluster every few seconds.
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/types.js";

export const PROBE_INTERVAL_MS = 2000;

export interface HealthProbe {
  readonly reachable: boolean;
  stop(): Promise<void>;
}

/** Runs `ask` every interval (never two at once); `reachable` is whether the last one succeeded. */
export function startProbe(ask: () => Promise<unknown>, close: () => Promise<void>, log: Logger): HealthProbe {
  let reachable = true;
  let probing: Promise<void> | undefined;

  const probe = async () => {
    try {
      await ask();
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
      await close();
    },
  };
}
