// The choices `evgen init` offers, kept apart from the code that acts on them so that parsing the
// command line loads nothing heavy.

export const BROKERS = ["kafka", "rabbitmq"] as const;
export type Broker = (typeof BROKERS)[number];

/** examples/<name>/evgen.yaml. */
export const EXAMPLES = ["orders", "notifications", "analytics"] as const;
export type Example = (typeof EXAMPLES)[number];
