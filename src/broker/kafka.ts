// Kafka: kafkajs or @platformatic/kafka (`kafka.client`), topics per event, retry topics per attempt
// (none when blocking), a replay topic beside each dead-letter topic.
import { replayTopicName, retryQueueName } from "../ir/names.js";
import { envValue } from "../render/prose.js";
import { KAFKA_TOPIC_MAX } from "../spec/patterns.js";
import { checkKafkaKeys, checkKafkaNames, checkKafkaSpec } from "./kafka-checks.js";
import { kafkaCatalog } from "./kafka-catalog.js";
import { kafkaRoutingChanges } from "./kafka-compat.js";
import { kafkaAsyncApi } from "./kafka-asyncapi.js";
import type { BrokerDescriptor } from "./types.js";

export const kafka: BrokerDescriptor<"kafka"> = {
  name: "kafka",
  label: "Kafka",
  runtimeFolders: (ir) => ["kafka", `kafka/${ir.kafkaClient}`],
  dependencies: (ir) => [ir.kafkaClient === "platformatic" ? "@platformatic/kafka" : "kafkajs"],
  servers: (ir) => ir.kafka.servers,
  connectionEnv: "KAFKA_BROKERS",
  composeService: "kafka",
  names: { channel: "Kafka topic", maxBytes: KAFKA_TOPIC_MAX, consumerKey: "groupId", consumerNoun: "group" },
  consumerNames: (group, retry, deadLetter) => ({
    retryQueues: retry.mode === "blocking" ? [] : retry.delaysMs.map((_, i) => retryQueueName(group, i + 1)),
    ...(deadLetter ? { replayTopic: replayTopicName(group) } : {}),
  }),
  serviceSettings: (ir) => ir.kafka,
  eventDefFields: () => ({}),
  consumerDefFields: () => ({}),
  ownKeys: { event: ["topic"], consumer: ["groupId", "retry.mode"] },
  routingChanges: kafkaRoutingChanges,
  checkKeys: checkKafkaKeys,
  checkSpec: checkKafkaSpec,
  checkNames: checkKafkaNames,
  catalog: kafkaCatalog,
  asyncapi: kafkaAsyncApi,
  view: (ir) => ({
    transportModule: `kafka/${ir.kafkaClient}/transport`,
    deadLettersModule: `kafka/${ir.kafkaClient}/dlq`,
    kafkaBrokers: envValue(ir.kafka.brokers.join(",")),
  }),
};
