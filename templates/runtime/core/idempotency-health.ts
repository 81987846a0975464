// Readiness of the idempotency stores kept on a server (Redis, PostgreSQL): each is pinged every few
// seconds, within the store timeout. A store that does not answer makes /readyz 503 until it does.
import { errorMessage } from "./errors.js";
import type { IdempotencyStore } from "./idempotency.js";
import type { Logger } from "./types.js";

const PROBE_INTERVAL_MS = 5000;

export interface StoreProbe {
  /** True while every store answered its last ping. */
  readonly reachable: boolean;
  /** The stores that did not answer their last ping. */
  readonly down: string[];
  /** Pings every store now (also done every few seconds). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export function watchStores(
  stores: Map<string, Pick<IdempotencyStore, "ping">>,
  timeoutMs: number,
  log: Logger,
): StoreProbe {
  const down = new Set<string>();
  const pinged = [...stores].filter(([, store]) => store.ping !== undefined);
  let probing: Promise<void> | undefined;

  async function ping(name: string, store: Pick<IdempotencyStore, "ping">): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ping!(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (down.delete(name)) log.info({ store: name }, "idempotency store answers again");
    } catch (error) {
      if (!down.has(name)) log.warn({ store: name, err: errorMessage(error) }, "idempotency store does not answer");
      down.add(name);
    } finally {
      clearTimeout(timer);
    }
  }

  const check = () =>
    (probing ??= Promise.all(pinged.map(([name, store]) => ping(name, store)))
      .then(() => undefined)
      .finally(() => (probing = undefined)));
  const timer = pinged.length > 0 ? setInterval(() => void check(), PROBE_INTERVAL_MS) : undefined;
  timer?.unref();

  return {
    get reachable() {
      return down.size === 0;
    },
    get down() {
      return [...down];
    },
    check,
    async stop() {
      clearInterval(timer);
      await probing;
    },
  };
}
