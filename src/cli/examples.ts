// The choices `evgen init` offers, kept apart from the code that acts on them so that parsing the
// command line loads nothing heavy.

export { BROKER_CHOICES as BROKERS, DEFAULT_BROKER, brokerChoice, type BrokerName as Broker } from "../broker/index.js";

/** examples/<name>/evgen.yaml. */
export const EXAMPLES = ["orders", "notifications", "user-analytics"] as const;
export type Example = (typeof EXAMPLES)[number];

/** Earlier names of examples, still accepted by `evgen init --example`. */
const RENAMED: Record<string, Example> = { analytics: "user-analytics" };

/** What `--example` accepts: the examples and their earlier names. */
export const EXAMPLE_CHOICES = [...EXAMPLES, ...Object.keys(RENAMED)] as const;

export const exampleNamed = (name: string): Example => RENAMED[name] ?? (name as Example);
