// Spec rules of RabbitMQ: keys that name Kafka things, a password in the url that would be written
// into generated files, emitted events no consumer takes, the unrouted queue's name, the exchange's length.
import { defaultExchange, unroutedName } from "../../ir/names.js";
import { RABBITMQ_NAME_MAX_BYTES } from "../../spec/patterns.js";
import type { CheckContext } from "../../validate/checks/context.js";

/** Keys of the spec that only Kafka reads. */
export function checkRabbitKeys(ctx: CheckContext): void {
  const { events, consumers } = ctx.parts;
  for (const [type, event] of Object.entries(events)) {
    if (event.topic !== undefined) {
      ctx.error(["events", type, "topic"], "topic applies only when broker is kafka", {
        at: "key",
        hint: "remove it: RabbitMQ routes events by their type",
      });
    }
  }
  for (const [name, consumer] of Object.entries(consumers)) {
    if (consumer.groupId !== undefined) {
      ctx.error(["consumers", name, "groupId"], "groupId applies only when broker is kafka", {
        at: "key",
        hint: "name the consumer's queue with queue",
      });
    }
    if (consumer.retry.mode !== undefined) {
      ctx.error(["consumers", name, "retry", "mode"], "retry.mode applies only when broker is kafka", {
        at: "key",
        hint: "remove it: RabbitMQ retries through wait queues and never blocks the queue",
      });
    }
  }
}

/**
 * What the spec means on RabbitMQ: a password in its url would be written into generated files,
 * and an event emitted that no consumer here handles waits in the unrouted queue.
 */
export function checkRabbitSpec(ctx: CheckContext): void {
  const { service, consumers, declared } = ctx.parts;
  const rabbitmq = ctx.parts.blocks.rabbitmq;
  for (const [name, url] of Object.entries(rabbitmq?.servers ?? {})) {
    if (hasRealPassword(url)) {
      ctx.warn(["rabbitmq", "servers", name], "the url holds a password, which would be written into generated files", {
        hint: "set AMQP_URL at run time instead",
      });
    }
  }
  if (rabbitmq && hasRealPassword(rabbitmq.url)) {
    ctx.warn(["rabbitmq", "url"], "the url holds a password, which would be written into generated files", {
      hint: "keep the default here and set AMQP_URL at run time",
    });
  }
  if (service === undefined) return;
  const unrouted = unroutedName(service);
  const handled = new Set(Object.values(consumers).flatMap((consumer) => consumer.on));
  for (const [name, consumer] of Object.entries(consumers)) {
    consumer.emits.forEach((type, i) => {
      if (!declared.events.has(type) || handled.has(type)) return;
      ctx.warn(["consumers", name, "emits", i], `'${type}' is emitted but consumed by no consumer of this spec`, {
        hint: `it waits in the queue ${unrouted} until a queue is bound to it (another service's, or a consumer's here)`,
      });
    });
  }
}

function hasRealPassword(url: string): boolean {
  const password = new URL(url).password;
  return password !== "" && password !== "guest";
}

/** The names RabbitMQ needs beside the consumers' queues: the unrouted queue and the exchange. */
export function checkRabbitNames(ctx: CheckContext): void {
  const { service, consumers } = ctx.parts;
  const rabbitmq = ctx.parts.blocks.rabbitmq;
  if (service !== undefined && Object.hasOwn(consumers, "unrouted")) {
    ctx.error(["consumers", "unrouted"], `the queue '${unroutedName(service)}' holds the events no queue is bound to`, {
      at: "key",
      hint: "rename the consumer",
    });
  }
  if (
    service !== undefined &&
    rabbitmq?.exchange === undefined &&
    Buffer.byteLength(defaultExchange(service)) > RABBITMQ_NAME_MAX_BYTES
  ) {
    ctx.error(
      ["service"],
      `the exchange '${defaultExchange(service)}' would be longer than ${RABBITMQ_NAME_MAX_BYTES} bytes`,
      {
        hint: "set rabbitmq.exchange or shorten the service name",
      },
    );
  }
}
