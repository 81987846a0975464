// evgen compat on RabbitMQ: an event published under another routing key no longer reaches the
// queues bound to the old one, other services' queues included. Its `key` orders nothing here.
import type { IREvent } from "../../ir/types.js";

export function rabbitmqRoutingChanges(before: IREvent, after: IREvent): string[] {
  if (before.routingKey === after.routingKey) return [];
  return [
    `its routing key changed from '${before.routingKey}' to '${after.routingKey}': queues bound to the old one no longer receive it`,
  ];
}
