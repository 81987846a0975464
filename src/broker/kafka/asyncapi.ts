// The Kafka parts of the AsyncAPI export (src/asyncapi/export.ts): a server per bootstrap broker,
// a channel per topic with the messages of its events, the group id of each receive operation,
// and the message key.
import { channelMessages, type JsonObject } from "../../asyncapi/document.js";
import { fieldSchema } from "../../asyncapi/field-schema.js";
import type { BrokerAsyncApi } from "../types.js";

const KAFKA_BINDING = "0.5.0";

export const kafkaAsyncApi: BrokerAsyncApi<"kafka"> = {
  defaultServerKey: /^kafka(-\d+)?$/,
  servers(ir, serverKey) {
    const kafkaServers = (base: string, brokers: string[], named?: string) =>
      brokers.map((host, i) => [
        brokers.length === 1 ? base : `${base}-${i + 1}`,
        { host, protocol: "kafka", ...(named ? { "x-evgen-server": named } : {}) },
      ]);
    return Object.fromEntries([
      ...kafkaServers("kafka", ir.settings.brokers),
      ...Object.entries(ir.settings.servers ?? {}).flatMap(([name, brokers]) =>
        kafkaServers(serverKey(name), brokers, name),
      ),
    ]);
  },

  /** One channel per topic, holding every version of every event published to it. */
  channels(ir) {
    const channels: JsonObject = {};
    for (const topic of ir.topics) {
      channels[topic] = {
        address: topic,
        messages: channelMessages(ir.events.filter((e) => e.topic === topic)),
        bindings: {
          kafka: {
            topic,
            partitions: ir.settings.partitions,
            replicas: ir.settings.replicationFactor,
            bindingVersion: KAFKA_BINDING,
          },
        },
      };
    }
    return channels;
  },

  sendChannel: (event) => event.topic,
  receiveChannels: (_ir, consumer, events) =>
    consumer.topics.map((topic) => [topic, events.filter((e) => e.topic === topic)] as const),
  receiveBindings: (consumer) => ({
    kafka: { groupId: { type: "string", enum: [consumer.group] }, bindingVersion: KAFKA_BINDING },
  }),

  messageBindings(event, version) {
    const keyField = event.key === undefined ? undefined : version.fields.find((f) => f.name === event.key);
    return { kafka: { ...(keyField ? { key: fieldSchema(keyField.type) } : {}), bindingVersion: KAFKA_BINDING } };
  },

  // CloudEvents' Kafka protocol binding: ce_ headers, and the content type as a header of its own.
  headerPrefix: "ce_",
  extraHeaders: { "content-type": { type: "string", const: "application/json" } },
  retryKeys: ({ mode }) => ({ mode }),
};
