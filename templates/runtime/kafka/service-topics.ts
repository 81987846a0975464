// The topics a service provisions at start, whichever Kafka client it uses: every event topic,
// and each consumer's retry topics, and its dead-letter and replay topics when it has a dead letter.
import type { ServiceDef } from "../core/types.js";

export function serviceTopics(service: ServiceDef): string[] {
  const topics = new Set(Object.values(service.events).map((event) => event.topic));
  for (const consumer of Object.values(service.consumers)) {
    for (const topic of consumer.retryQueues) topics.add(topic);
    if (consumer.deadLetterQueue) topics.add(consumer.deadLetterQueue);
    if (consumer.replayTopic) topics.add(consumer.replayTopic);
  }
  return [...topics].sort();
}
