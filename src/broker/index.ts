// The brokers evgen generates for, by name: the one lookup the generator makes instead of branching
// (docs/architecture.md, Brokers). A broker is a folder, src/broker/<broker>/, whose descriptor is
// registered here and whose spec block is registered in src/spec/schema/brokers.ts, which gives the
// names: this table must hold exactly those.
import type { BrokerName } from "../spec/schema/brokers.js";
import { kafka } from "./kafka/descriptor.js";
import { rabbitmq } from "./rabbitmq/descriptor.js";
import type { BrokerDescriptor } from "./types.js";

export type { BrokerDescriptor, BrokerName, BrokerView } from "./types.js";

const brokers: { [N in BrokerName]: BrokerDescriptor<N> } = { kafka, rabbitmq };

/** The brokers in the order evgen offers them (evgen init, evgen import --broker). */
export const BROKER_CHOICES = Object.keys(brokers) as BrokerName[];

/** What `evgen init --yes`, the init prompt and `evgen import` pick when none is named. */
export const DEFAULT_BROKER: BrokerName = "kafka";

export function brokerOf(name: BrokerName): BrokerDescriptor {
  return brokers[name];
}

/** Every broker's descriptor, in the order evgen offers them. */
export function allBrokers(): BrokerDescriptor[] {
  return BROKER_CHOICES.map(brokerOf);
}

/** "kafka or rabbitmq", "kafka, rabbitmq or nats": the names as a choice in prose. */
export const brokerChoice = (separator = " or "): string =>
  BROKER_CHOICES.length < 2
    ? BROKER_CHOICES.join("")
    : `${BROKER_CHOICES.slice(0, -1).join(", ")}${separator}${BROKER_CHOICES.at(-1)}`;
