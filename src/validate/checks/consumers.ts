// Consumers refer only to declared events, list each event once, and have sensible retry timing.
// What an emitted event no consumer handles means depends on the broker (its descriptor's checkSpec).
import { didYouMean } from "../did-you-mean.js";
import type { CheckContext } from "./context.js";

export function checkConsumers(ctx: CheckContext): void {
  const declared = ctx.parts.declared.events;
  for (const [name, consumer] of Object.entries(ctx.parts.consumers)) {
    for (const list of ["on", "emits"] as const) {
      const seen = new Set<string>();
      consumer[list].forEach((type, i) => {
        const path = ["consumers", name, list, i];
        if (seen.has(type)) ctx.error(path, `'${type}' is listed twice`);
        seen.add(type);
        if (!declared.has(type)) {
          ctx.error(path, `unknown event '${type}'`, {
            hint: didYouMean(type, declared) ?? "declare it under events:",
          });
        }
      });
    }
    for (const type of consumer.emits.filter((t) => consumer.on.includes(t))) {
      ctx.warn(
        ["consumers", name, "emits"],
        `consumer '${name}' handles and emits '${type}': make sure it cannot loop`,
      );
    }
    const { delay, maxDelay, backoff, attempts } = consumer.retry;
    if (backoff === "exponential" && attempts > 1 && maxDelay < delay) {
      ctx.warn(
        ["consumers", name, "retry", "maxDelay"],
        "retry.maxDelay is shorter than retry.delay, so every retry waits maxDelay",
      );
    }
  }
}
