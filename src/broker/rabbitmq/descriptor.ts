// RabbitMQ (amqplib): one topic exchange, a queue per consumer, wait queues named by their delay,
// and an alternate exchange with its queue for events no queue is bound to.
import { waitQueueName } from "../../ir/names.js";
import { envValue } from "../../render/prose.js";
import { RABBITMQ_NAME_MAX_BYTES } from "../../spec/patterns.js";
import { rabbitmqCatalog } from "./catalog.js";
import { checkRabbitKeys, checkRabbitNames, checkRabbitSpec } from "./checks.js";
import { rabbitmqAsyncApi } from "./asyncapi.js";
import { rabbitmqAsyncApiImport } from "./asyncapi-import.js";
import { rabbitmqRoutingChanges } from "./compat.js";
import type { BrokerDescriptor, BrokerView } from "../types.js";
import { rabbitmqSettings } from "./settings.js";

export const rabbitmq: BrokerDescriptor<"rabbitmq"> = {
  name: "rabbitmq",
  label: "RabbitMQ",
  runtimeFolders: () => ["rabbitmq"],
  dependencies: () => ["amqplib"],
  settings: rabbitmqSettings,
  servers: (ir) => ir.settings.servers,
  connectionEnv: "AMQP_URL",
  composeService: "rabbitmq",
  names: { channel: "RabbitMQ queue", maxBytes: RABBITMQ_NAME_MAX_BYTES, consumerKey: "queue", consumerNoun: "queue" },
  consumerNames: (group, retry) => ({ retryQueues: retry.delaysMs.map((delayMs) => waitQueueName(group, delayMs)) }),
  serviceSettings: (ir) => ir.settings,
  eventDefFields: (event) => ({ routingKey: event.routingKey }),
  consumerDefFields: (consumer) => ({ routingKeys: consumer.routingKeys }),
  ownKeys: { event: ["routingKey"], consumer: ["queue"] },
  // None reported yet: a changed routingKey would leave old consumers' bindings behind.
  routingChanges: rabbitmqRoutingChanges,
  checkKeys: checkRabbitKeys,
  checkSpec: checkRabbitSpec,
  checkNames: checkRabbitNames,
  catalog: rabbitmqCatalog,
  asyncapi: rabbitmqAsyncApi,
  asyncapiImport: rabbitmqAsyncApiImport,
  view: (ir) => ({
    transportModule: "rabbitmq/transport",
    deadLettersModule: "rabbitmq/dlq",
    rabbitmqUrl: envValue(ir.settings.url),
    unroutedQueue: ir.settings.unrouted,
    ...composeUrl(ir.settings.url),
  }),
};

/**
 * The compose RabbitMQ's URL keeps the spec's virtual host (the broker is told to create it), so
 * the service in a container talks to the vhost the spec names. YAML-safe JSON string literals.
 */
function composeUrl(url: string): Pick<BrokerView, "composeAmqpUrl" | "composeVhost"> {
  const path = new URL(url).pathname;
  const base = "amqp://guest:guest@rabbitmq:5672";
  if (path === "" || path === "/") return { composeAmqpUrl: JSON.stringify(base), composeVhost: false };
  let vhost = path.slice(1);
  try {
    vhost = decodeURIComponent(vhost);
  } catch {
    // Not percent-encoded as a URL should be: the broker reads it as written, and so do we.
  }
  return { composeAmqpUrl: JSON.stringify(`${base}${path}`), composeVhost: JSON.stringify(vhost) };
}
