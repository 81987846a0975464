// Spec rules of Kafka: keys that name RabbitMQ things, and event topics that clash with the retry
// and dead-letter topics evgen derives or that Kafka's metrics would confuse.
import type { CheckContext } from "../../validate/checks/context.js";

/** Keys of the spec that only RabbitMQ reads. */
export function checkKafkaKeys(ctx: CheckContext): void {
  const { events, consumers } = ctx.parts;
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

/** What the spec means on Kafka beyond its names: nothing to warn about yet. */
export function checkKafkaSpec(_ctx: CheckContext): void {}

/** Event topics against the names derived for consumers (name -> consumer), and each other. */
export function checkKafkaNames(ctx: CheckContext, derived: ReadonlyMap<string, string>): void {
  const byNormalized = new Map<string, string>();
  for (const [type, event] of Object.entries(ctx.parts.events)) {
    const topic = event.topic ?? type;
    const path = event.topic === undefined ? ["events", type] : ["events", type, "topic"];
    const consumer = derived.get(topic);
    if (consumer !== undefined) {
      ctx.error(path, `topic '${topic}' is also a retry or dead-letter topic of consumer '${consumer}'`, {
        at: event.topic ? "value" : "key",
      });
    }
    // Kafka's metrics treat '.' and '_' alike, so such topics are told apart badly.
    const normalized = topic.replaceAll(".", "_");
    const other = byNormalized.get(normalized);
    if (other !== undefined && other !== topic) {
      ctx.warn(path, `topics '${other}' and '${topic}' differ only in '.' and '_', which Kafka's metrics confuse`, {
        at: event.topic ? "value" : "key",
      });
    }
    byNormalized.set(normalized, topic);
  }
}
