// A circuit breaker needs a window to count failures in and a time to stay open: zero would make
// it trip on nothing or never pause.
import type { CheckContext } from "./context.js";

export function checkCircuitBreakers(ctx: CheckContext): void {
  for (const [name, consumer] of Object.entries(ctx.parts.consumers)) {
    const breaker = consumer.circuitBreaker;
    if (!breaker) continue;
    for (const key of ["window", "openFor"] as const) {
      if (breaker[key] === 0)
        ctx.error(["consumers", name, "circuitBreaker", key], `circuitBreaker.${key} must be longer than 0`);
    }
  }
}
