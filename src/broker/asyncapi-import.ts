// Each broker's part in `evgen import asyncapi`, in a table of its own rather than in the
// descriptor: it reads the spec's defaults, and with them zod, which generating and checking a
// project load only when they need them (docs/architecture.md, Brokers).
import { BROKER_NAMES } from "../spec/broker-names.js";
import { kafkaAsyncApiImport } from "./kafka/asyncapi-import.js";
import { rabbitmqAsyncApiImport } from "./rabbitmq/asyncapi-import.js";
import type { BrokerAsyncApiImport, BrokerName } from "./types.js";

const importers: { [N in BrokerName]: BrokerAsyncApiImport } = {
  kafka: kafkaAsyncApiImport,
  rabbitmq: rabbitmqAsyncApiImport,
};

export function asyncApiImportOf(name: BrokerName): BrokerAsyncApiImport {
  return importers[name];
}

/** Every broker with its import part, in the spec's order. */
export function allAsyncApiImports(): Array<{ name: BrokerName; asyncapiImport: BrokerAsyncApiImport }> {
  return BROKER_NAMES.map((name) => ({ name, asyncapiImport: importers[name] }));
}
