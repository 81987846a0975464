// RabbitMQ's settings from the spec, as a ServiceDef holds them under `rabbitmq`: this file adds them
// to core's BrokerSettings (core/types.ts names no broker), which makes "rabbitmq" a Broker.

/** servers: named environments of the spec, picked with EVGEN_SERVER (docs/spec.md). */
export interface RabbitSettings {
  url: string;
  servers?: Record<string, string>;
  exchange: string;
  /** `<service>.unrouted`: the exchange's alternate exchange and its queue (events no queue is bound to). */
  unrouted: string;
  queueType: "quorum" | "classic";
  prefetch: number;
}

declare module "../core/types.js" {
  interface BrokerSettings {
    rabbitmq: RabbitSettings;
  }
}
