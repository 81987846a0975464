// What the IR keeps of RabbitMQ's block of the spec: `ir.settings` of a RabbitMQ spec. It is added
// to the IR's BrokerSettings (src/ir/types.ts) under the broker's name, so the IR names no broker.
import { defaultExchange, unroutedName } from "../../ir/names.js";
import { sortedRecord } from "../../ir/sorted.js";
import type { Spec } from "../../spec/schema/spec.js";

export interface RabbitmqSettings {
  url: string;
  /** Named environments, picked with EVGEN_SERVER at run time (present only when the spec names some). */
  servers?: Record<string, string>;
  exchange: string;
  /** `<service>.unrouted`: the exchange's alternate exchange and its queue (events no queue is bound to). */
  unrouted: string;
  queueType: "quorum" | "classic";
  prefetch: number;
}

declare module "../../ir/types.js" {
  interface BrokerSettings {
    rabbitmq: RabbitmqSettings;
  }
}

export function rabbitmqSettings(spec: Spec): RabbitmqSettings {
  const block = spec.rabbitmq;
  return {
    url: block.url,
    ...(block.servers ? { servers: sortedRecord(block.servers) } : {}),
    exchange: block.exchange ?? defaultExchange(spec.service),
    unrouted: unroutedName(spec.service),
    queueType: block.queueType,
    prefetch: block.prefetch,
  };
}
