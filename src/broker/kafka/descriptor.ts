// Kafka: kafkajs or @platformatic/kafka (`kafka.client`), topics per event, retry topics per attempt
// (none when blocking), a replay topic beside each dead-letter topic.
import { replayTopicName, retryQueueName } from "../../ir/names.js";
import { envValue } from "../../render/prose.js";
import { KAFKA_TOPIC_MAX } from "../../spec/patterns.js";
import { checkKafkaKeys, checkKafkaNames, checkKafkaSpec } from "./checks.js";
import { kafkaCatalog } from "./catalog.js";
import { kafkaRoutingChanges } from "./compat.js";
import { kafkaAsyncApi } from "./asyncapi.js";
import { kafkaAsyncApiImport } from "./asyncapi-import.js";
import type { BrokerDescriptor } from "../types.js";
import { kafkaSettings } from "./settings.js";

export const kafka: BrokerDescriptor<"kafka"> = {
  name: "kafka",
  label: "Kafka",
  runtimeFolders: (ir) => ["kafka", `kafka/${ir.settings.client}`],
  dependencies: (ir) => [ir.settings.client === "platformatic" ? "@platformatic/kafka" : "kafkajs"],
  settings: kafkaSettings,
  servers: (ir) => ir.settings.servers,
  connectionEnv: "KAFKA_BROKERS",
  composeService: "kafka",
  names: { channel: "Kafka topic", maxBytes: KAFKA_TOPIC_MAX, consumerKey: "groupId", consumerNoun: "group" },
  consumerNames: (group, retry, deadLetter) => ({
    retryQueues: retry.mode === "blocking" ? [] : retry.delaysMs.map((_, i) => retryQueueName(group, i + 1)),
    ...(deadLetter ? { replayTopic: replayTopicName(group) } : {}),
  }),
  // The client picks runtime files and a dependency; the runtime does not read it.
  serviceSettings: ({ settings: { client: _client, ...settings } }) => settings,
  eventDefFields: () => ({}),
  consumerDefFields: () => ({}),
  ownKeys: { event: ["topic"], consumer: ["groupId", "retry.mode"] },
  routingChanges: kafkaRoutingChanges,
  checkKeys: checkKafkaKeys,
  checkSpec: checkKafkaSpec,
  checkNames: checkKafkaNames,
  catalog: kafkaCatalog,
  asyncapi: kafkaAsyncApi,
  asyncapiImport: kafkaAsyncApiImport,
  view: (ir) => ({
    transportModule: `kafka/${ir.settings.client}/transport`,
    deadLettersModule: `kafka/${ir.settings.client}/dlq`,
    kafkaBrokers: envValue(ir.settings.brokers.join(",")),
  }),
};
