// The brokers evgen generates for, by name: the one lookup the generator makes instead of branching.
import { kafka } from "./kafka.js";
import { rabbitmq } from "./rabbitmq.js";
import type { BrokerDescriptor, BrokerName } from "./types.js";

export type { BrokerDescriptor, BrokerName, BrokerView } from "./types.js";

const brokers: Record<BrokerName, BrokerDescriptor> = { kafka, rabbitmq };

export function brokerOf(name: BrokerName): BrokerDescriptor {
  return brokers[name];
}
