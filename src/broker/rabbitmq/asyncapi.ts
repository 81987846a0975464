// The RabbitMQ parts of the AsyncAPI export (src/asyncapi/export.ts): the AMQP server (never its
// credentials), a channel per event (its routing key on the service's topic exchange) and one per
// consumer queue, which its receive operation reads.
import { channelMessages, eventsOf, type JsonObject } from "../../asyncapi/document.js";
import type { IR, IRConsumer } from "../../ir/types.js";
import type { BrokerAsyncApi } from "../types.js";

const AMQP_BINDING = "0.3.0";

/** The key of a consumer's queue channel; "_" cannot occur in an event type, so it never clashes. */
const queueChannelId = (consumer: IRConsumer) => `queue_${consumer.name}`;

export const rabbitmqAsyncApi: BrokerAsyncApi<"rabbitmq"> = {
  defaultServerKey: /^rabbitmq$/,
  servers: (ir, serverKey) =>
    Object.fromEntries([
      ["rabbitmq", amqpServer(ir.settings.url)],
      ...Object.entries(ir.settings.servers ?? {}).map(([name, url]) => [
        serverKey(name),
        { ...amqpServer(url), "x-evgen-server": name },
      ]),
    ]),

  channels(ir) {
    const vhost = vhostOf(ir);
    const channels: JsonObject = {};
    for (const event of ir.events) {
      channels[event.type] = {
        address: event.routingKey,
        messages: channelMessages([event]),
        bindings: {
          amqp: {
            is: "routingKey",
            exchange: { name: ir.settings.exchange, type: "topic", durable: true, autoDelete: false, vhost },
            bindingVersion: AMQP_BINDING,
          },
        },
      };
    }
    for (const consumer of ir.consumers) {
      channels[queueChannelId(consumer)] = {
        address: consumer.group,
        messages: channelMessages(eventsOf(ir, consumer.on)),
        bindings: {
          amqp: {
            is: "queue",
            queue: { name: consumer.group, durable: true, exclusive: false, autoDelete: false, vhost },
            // Queue arguments and the channel's prefetch have no binding field of their own.
            "x-evgen-queueType": ir.settings.queueType,
            "x-evgen-prefetch": ir.settings.prefetch,
            bindingVersion: AMQP_BINDING,
          },
        },
      };
    }
    return channels;
  },

  sendChannel: (event) => event.type,
  receiveChannels: (_ir, consumer, events) => [[queueChannelId(consumer), events] as const],
  receiveBindings: () => undefined,
  messageBindings: (event) => ({ amqp: { messageType: event.type, bindingVersion: AMQP_BINDING } }),

  // CloudEvents' AMQP protocol binding: cloudEvents_ application properties.
  headerPrefix: "cloudEvents_",
  extraHeaders: {},
  retryKeys: () => ({}),
};

// Credentials never leave the spec: AMQP_URL provides them at run time.
function amqpServer(text: string): JsonObject {
  const url = new URL(text);
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, ""));
  return {
    host: url.port ? `${url.hostname}:${url.port}` : url.hostname,
    protocol: url.protocol.replace(/:$/, ""),
    ...(vhost ? { pathname: `/${vhost}` } : {}),
  };
}

function vhostOf(ir: IR<"rabbitmq">): string {
  const path = new URL(ir.settings.url).pathname.replace(/^\//, "");
  return path === "" ? "/" : decodeURIComponent(path);
}
