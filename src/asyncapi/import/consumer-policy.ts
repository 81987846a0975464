// x-evgen-consumer -> filter, concurrency, timeout, retry, circuitBreaker, deadLetter, idempotency, window; values that
// say no more than the spec's defaults are left out, as a person would write the spec.
// Validation checks the values.
import { brokerOf } from "../../broker/index.js";
import { isConsumerDefault, isRetryDefault } from "../../spec/defaults.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Obj } from "./json.js";

const POLICY_KEYS = [
  "filter",
  "concurrency",
  "timeout",
  "retry",
  "circuitBreaker",
  "deadLetter",
  "idempotency",
  "window",
];

export function consumerPolicy(ctx: ImportContext, consumer: Obj, extension: Obj, path: string): void {
  for (const key of POLICY_KEYS) {
    if (extension[key] === undefined) continue;
    let value = extension[key];
    if (key === "retry" && isObj(value)) {
      const { mode, ...rest } = value;
      const readsMode = brokerOf(ctx.broker).ownKeys.consumer.includes("retry.mode");
      if (!readsMode && mode !== undefined && mode !== "non-blocking") {
        ctx.warn(pointer(path, "retry", "mode"), "retry mode is Kafka only: not imported");
      }
      const kept = Object.entries(readsMode ? value : rest).filter(([k, v]) => !isRetryDefault(k, v));
      if (kept.length === 0) continue;
      value = Object.fromEntries(kept);
    }
    if (key !== "retry" && isConsumerDefault(key, value)) continue;
    consumer[key] = value;
  }
}
