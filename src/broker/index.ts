// The brokers evgen generates for, by name: the one lookup the generator makes instead of branching.
// The names are the spec's (src/spec/broker-names.ts); this table must hold a descriptor for each.
import { BROKER_NAMES } from "../spec/broker-names.js";
import { kafka } from "./kafka/descriptor.js";
import { rabbitmq } from "./rabbitmq/descriptor.js";
import type { BrokerDescriptor, BrokerName } from "./types.js";

export type { BrokerDescriptor, BrokerName, BrokerView } from "./types.js";

const brokers: { [N in BrokerName]: BrokerDescriptor<N> } = { kafka, rabbitmq };

export function brokerOf(name: BrokerName): BrokerDescriptor {
  return brokers[name];
}

/** Every broker's descriptor, in the spec's order. */
export function allBrokers(): BrokerDescriptor[] {
  return BROKER_NAMES.map(brokerOf);
}
