// Keys that only mean something on one broker, and broker settings that would leak into files.
import type { CheckContext } from "./context.js";

export function checkBrokerOptions(ctx: CheckContext): void {
  const { broker, events, consumers, rabbitmq } = ctx.parts;
  if (broker === "rabbitmq") {
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
  if (broker === "kafka") {
    for (const [type, event] of Object.entries(events)) {
      if (event.routingKey !== undefined) {
        ctx.error(["events", type, "routingKey"], "routingKey applies only when broker is rabbitmq", {
          at: "key",
          hint: "Kafka routes events by topic: set topic",
        });
      }
    }
    for (const [name, consumer] of Object.entries(consumers)) {
      if (consumer.queue !== undefined) {
        ctx.error(["consumers", name, "queue"], "queue applies only when broker is rabbitmq", {
          at: "key",
          hint: "name the consumer group with groupId",
        });
      }
    }
  }
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
}

function hasRealPassword(url: string): boolean {
  const password = new URL(url).password;
  return password !== "" && password !== "guest";
}
