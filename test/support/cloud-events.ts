// CloudEvents attributes as broker headers, for tests that write events the way a foreign producer
// would: "ce_" on Kafka, "cloudEvents_" on RabbitMQ (AMQP).

/** The headers of an order.created event with id `id` from the source "/elsewhere", time now. */
export function foreignCloudEvent<P extends "ce_" | "cloudEvents_">(prefix: P, id: string) {
  const attributes = {
    id,
    type: "order.created",
    source: "/elsewhere",
    specversion: "1.0",
    time: new Date().toISOString(),
    dataversion: "1",
  };
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`${prefix}${name}`, value])) as Record<
    `${P}${keyof typeof attributes}`,
    string
  >;
}
