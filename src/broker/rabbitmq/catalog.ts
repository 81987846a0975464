// The event catalog on RabbitMQ: the topic exchange, queues with their bindings, wait queues.
import { mdCode } from "../../docs/text.js";
import type { BrokerCatalog } from "../types.js";

export const rabbitmqCatalog: BrokerCatalog<"rabbitmq"> = {
  broker: (ir) => `RabbitMQ, topic exchange ${mdCode(ir.settings.exchange)} (${ir.settings.queueType} queues)`,
  eventRoute: (ir, event) => `Routing key: ${mdCode(event.routingKey)} on exchange ${mdCode(ir.settings.exchange)}`,
  consumerRoute: (ir, consumer) =>
    `Queue: ${mdCode(consumer.group)} (${ir.settings.queueType}), bound to ${mdCode(ir.settings.exchange)} with ${consumer.routingKeys.map(mdCode).join(", ") || "none"}`,
  retryWhere: () => "Failed events wait in retry queues.",
  stageNoun: "queue",
};
