// RabbitMQ's block of the spec (`rabbitmq:`, docs/spec.md). It sits on the spec's ground floor: it
// imports only from src/spec/, and src/spec/schema/brokers.ts gathers every broker's block.
import * as z from "zod";
import { EXCHANGE_NAME, RABBITMQ_NAME_MAX_BYTES, SERVER_NAME } from "../../spec/patterns.js";
import { matching } from "../../spec/schema/common.js";
import { DEFAULT_AMQP_URL, RABBITMQ_DEFAULTS } from "./defaults.js";

export const rabbitmqSection = z
  .strictObject({
    url: z
      .string()
      .refine(isAmqpUrl, { error: (issue) => `'${String(issue.input)}' is not an amqp:// or amqps:// URL` })
      .default(DEFAULT_AMQP_URL)
      .describe("AMQP_URL overrides at run time."),
    servers: z
      .record(
        matching(SERVER_NAME, "server names are [a-z][a-z0-9-]*"),
        z
          .string()
          .refine(isAmqpUrl, { error: (issue) => `'${String(issue.input)}' is not an amqp:// or amqps:// URL` }),
      )
      .optional()
      .describe(
        "Named environments (production: amqps://host/vhost); EVGEN_SERVER=<name> picks one at run time instead of url.",
      ),
    exchange: matching(EXCHANGE_NAME, "exchange names are letters, digits, '.', '_', ':' and '-'")
      .max(RABBITMQ_NAME_MAX_BYTES, `an exchange name has at most ${RABBITMQ_NAME_MAX_BYTES} characters`)
      .refine((name) => !name.startsWith("amq."), "exchange names starting with 'amq.' are reserved by RabbitMQ")
      .optional()
      .describe("Durable topic exchange for the service's events. Default <service>.events."),
    queueType: z
      .enum(["quorum", "classic"])
      .default(RABBITMQ_DEFAULTS.queueType)
      .describe(`Default ${RABBITMQ_DEFAULTS.queueType}.`),
    prefetch: z
      .int()
      .min(1)
      .max(65_535)
      .default(RABBITMQ_DEFAULTS.prefetch)
      .describe(`Unacknowledged deliveries per consumer. Default ${RABBITMQ_DEFAULTS.prefetch}.`),
  })
  .describe("Read only when broker is rabbitmq.");

export type RabbitmqBlock = z.output<typeof rabbitmqSection>;

function isAmqpUrl(text: string): boolean {
  try {
    return ["amqp:", "amqps:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
