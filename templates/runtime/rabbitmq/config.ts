// RabbitMQ's part of the configuration (core/config.ts reads it with the variables every service
// has): the AMQP_* variables and the connection they give with the spec's settings.
import { existsSync } from "node:fs";
import { z } from "zod";
import { urlVariable, type BrokerConfigPart } from "../core/config.js";
import type { RabbitSettings } from "./settings.js";

export interface AmqpConnectionConfig {
  url: string;
  caFile?: string;
}

declare module "../core/config.js" {
  interface BrokerConnections {
    rabbitmq: { amqp: AmqpConnectionConfig };
  }
}

const variables = z.object({
  AMQP_URL: urlVariable(["amqp:", "amqps:"]).optional(),
  AMQP_CA_FILE: z.string().refine(existsSync, "file not found").optional(),
});

/** The spec's url: that of the server EVGEN_SERVER names, else its `url`. */
const specUrl = (settings: RabbitSettings, server: string | undefined): string =>
  (server ? settings.servers?.[server] : undefined) ?? settings.url;

export const rabbitmqConfig: BrokerConfigPart<"rabbitmq"> = {
  broker: "rabbitmq",
  connection: (service, server) =>
    variables.transform((v) => ({
      amqp: {
        url: v.AMQP_URL ?? specUrl(service.rabbitmq, server),
        ...(v.AMQP_CA_FILE ? { caFile: v.AMQP_CA_FILE } : {}),
      },
    })),
  servers: (service) => Object.keys(service.rabbitmq.servers ?? {}),
  problems: () => [],
  echoed: ["AMQP_CA_FILE"],
  // Events no queue is bound to wait in `<service>.unrouted` (the exchange's alternate exchange).
  keepsUnrouted: true,
};
