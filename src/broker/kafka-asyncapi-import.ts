// What `evgen import asyncapi` reads of Kafka servers: host:port addresses, the default ones as
// kafka.brokers and named environments as kafka.servers.
import { pointer } from "../asyncapi/import/json.js";
import { BROKER_ADDRESS } from "../spec/patterns.js";
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

  serverSettings(main, named) {
    const section: Record<string, unknown> = {};
    if (main.length > 0) section.brokers = main;
    if (named.size > 0) section.servers = Object.fromEntries(named);
    return Object.keys(section).length > 0 ? { kafka: section } : {};
  },
};
