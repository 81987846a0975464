// The event catalog on Kafka: brokers, topics, consumer groups and how retries wait.
import { mdCode } from "../../docs/text.js";
import type { BrokerCatalog } from "../types.js";

export const kafkaCatalog: BrokerCatalog<"kafka"> = {
  broker: (ir) => `Kafka (${ir.settings.brokers.map(mdCode).join(", ") || "none"})`,
  eventRoute: (_ir, event) => `Topic: ${mdCode(event.topic)}`,
  consumerRoute: (_ir, consumer) =>
    `Consumer group: ${mdCode(consumer.group)} on ${consumer.topics.map(mdCode).join(", ") || "none"}`,
  retryWhere: (consumer) =>
    consumer.retry.mode === "blocking"
      ? "Blocking: retried in place, keeping the order of events with the same key."
      : "Non-blocking: failed events wait on retry topics while the partition keeps moving.",
  stageNoun: "topic",
};
