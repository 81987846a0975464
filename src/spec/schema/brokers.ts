// Every broker's block of the spec, under its name (each defined in src/broker/<broker>/spec.ts): the
// one table of the spec's ground floor that names brokers, and so where the spec's broker names come
// from. A spec may hold every block; only its broker's is read.
import { kafkaSection } from "../../broker/kafka/spec.js";
import { rabbitmqSection } from "../../broker/rabbitmq/spec.js";

export const brokerSections = {
  kafka: kafkaSection.prefault({}),
  rabbitmq: rabbitmqSection.prefault({}),
};

/** The brokers a spec may name (`broker:`); src/broker/index.ts must hold a descriptor for each. */
export type BrokerName = keyof typeof brokerSections;

/** The same names, in the order of the table: the spec's `broker` enum and its salvaged blocks. */
export const BROKER_NAMES = Object.keys(brokerSections) as [BrokerName, ...BrokerName[]];
