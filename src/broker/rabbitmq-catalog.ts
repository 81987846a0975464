// The event catalog on RabbitMQ: the topic exchange, queues with their bindings, wait queues.
import { mdCode } from "../docs/text.js";
import type { BrokerCatalog } from "./types.js";

export const rabbitmqCatalog: BrokerCatalog = {
  broker: (ir) => `RabbitMQ, topic exchange ${mdCode(ir.rabbitmq.exchange)} (${ir.rabbitmq.queueType} queues)`,
  eventRoute: (ir, event) => `Routing key: ${mdCode(event.type)} on exchange ${mdCode(ir.rabbitmq.exchange)}`,
  consumerRoute: (ir, consumer) =>
    `Queue: ${mdCode(consumer.group)} (${ir.rabbitmq.queueType}), bound to ${mdCode(ir.rabbitmq.exchange)} with ${consumer.on.map(mdCode).join(", ") || "none"}`,
  retryWhere: () => "Failed events wait in retry queues.",
  stageNoun: "queue",
};
