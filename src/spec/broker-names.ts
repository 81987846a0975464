// The brokers a spec may name (`broker:`), in the order evgen offers them. The list lives here, on
// the ground floor, so that the spec's schema and the CLI read it without loading the generator;
// src/broker/index.ts keys one descriptor by each name, and the type checker holds it to every name.
export const BROKER_NAMES = ["kafka", "rabbitmq"] as const;
export type BrokerName = (typeof BROKER_NAMES)[number];

/** What `evgen init --yes` and the init prompt pick when none is named. */
export const DEFAULT_BROKER: BrokerName = "kafka";

/** "kafka or rabbitmq", "kafka, rabbitmq or nats": the names as a choice in prose. */
export const brokerChoice = (separator = " or "): string =>
  BROKER_NAMES.length < 2
    ? BROKER_NAMES.join("")
    : `${BROKER_NAMES.slice(0, -1).join(", ")}${separator}${BROKER_NAMES.at(-1)}`;
