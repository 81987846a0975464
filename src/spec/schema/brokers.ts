// Every broker's block of the spec, under its name (each defined in src/broker/<broker>/spec.ts). A
// spec may hold every block; only its broker's is read.
import type * as z from "zod";
import { kafkaSection } from "../../broker/kafka/spec.js";
import { rabbitmqSection } from "../../broker/rabbitmq/spec.js";
import type { BrokerName } from "../broker-names.js";

/** Keyed by BROKER_NAMES, so a broker named there cannot lack its block. */
export const brokerSections = {
  kafka: kafkaSection.prefault({}),
  rabbitmq: rabbitmqSection.prefault({}),
} satisfies Record<BrokerName, z.ZodType>;
