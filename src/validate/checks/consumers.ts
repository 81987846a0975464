// Consumers refer only to declared events, list each event once, and have sensible retry timing;
// on RabbitMQ, an event emitted that no consumer handles is pointed out (it waits in <service>.unrouted).
import { unroutedName } from "../../ir/names.js";
import { didYouMean } from "../did-you-mean.js";
import type { CheckContext } from "./context.js";

export function checkConsumers(ctx: CheckContext): void {
  const declared = ctx.parts.declared.events;
  const handled = new Set(Object.values(ctx.parts.consumers).flatMap((consumer) => consumer.on));
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
    if (ctx.parts.broker === "rabbitmq" && ctx.parts.service !== undefined) {
      const unrouted = unroutedName(ctx.parts.service);
      consumer.emits.forEach((type, i) => {
        if (!declared.has(type) || handled.has(type)) return;
        ctx.warn(["consumers", name, "emits", i], `'${type}' is emitted but consumed by no consumer of this spec`, {
          hint: `it waits in the queue ${unrouted} until a queue is bound to it (another service's, or a consumer's here)`,
        });
      });
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
