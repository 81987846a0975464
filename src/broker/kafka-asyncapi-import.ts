// What `evgen import asyncapi` reads of Kafka servers: host:port addresses, the default ones as
// kafka.brokers and named environments as kafka.servers.
import { isObj, pointer, type Obj } from "../asyncapi/import/json.js";
import { BROKER_ADDRESS, KAFKA_TOPIC } from "../spec/patterns.js";
import type { BrokerAsyncApiImport } from "./types.js";

export const kafkaAsyncApiImport: BrokerAsyncApiImport = {
  protocol: "kafka",
  serves: (protocol) => protocol.startsWith("kafka"),

  serverAddress({ host, pathname }, path, warn) {
    if (pathname !== undefined) warn(pointer(path, "pathname"), "Kafka servers have no path");
    if (BROKER_ADDRESS.test(host)) return host;
    warn(pointer(path, "host"), `'${host}' is not a host:port address`);
    return undefined;
  },

  consumerWireName: (_ctx, operation) => groupIdOf(operation),
  pattern: KAFKA_TOPIC,

  serverSettings(main, named) {
    const section: Record<string, unknown> = {};
    if (main.length > 0) section.brokers = main;
    if (named.size > 0) section.servers = Object.fromEntries(named);
    return Object.keys(section).length > 0 ? { kafka: section } : {};
  },
};

/** The receive operation's group id: its kafka binding's groupId, a const or a one-value enum. */
function groupIdOf(operation: Obj): { name: string } | undefined {
  const bindings = isObj(operation.bindings) ? operation.bindings : {};
  const groupId = isObj(bindings.kafka) ? bindings.kafka.groupId : undefined;
  if (!isObj(groupId)) return undefined;
  const value =
    groupId.const ?? (Array.isArray(groupId.enum) && groupId.enum.length === 1 ? groupId.enum[0] : undefined);
  return typeof value === "string" ? { name: value } : undefined;
}
