// The RabbitMQ transport (wire format: wire.ts). Publishing and consuming use separate connections: when
// RabbitMQ blocks a publishing connection (resource alarm), acks from consumers still get through.
import type { CircuitBreaker } from "../core/circuit.js";
import type { BackoffOptions } from "./backoff.js";
import { RabbitConnection } from "./connection.js";
import { RabbitSubscription } from "./consumer.js";
import { ConfirmPublisher, UnroutableError } from "./publisher.js";
import {
  declareServiceTopology,
  declareWaitQueues,
  openEventExchange,
  vhostOf,
  WAIT_QUEUE_IDLE_MS,
  type Topology,
} from "./topology.js";
import { eventPublishOptions } from "./wire.js";
import type {
  ConsumerDef,
  DeliveryHandler,
  Logger,
  OutgoingMessage,
  ServiceDef,
  Subscription,
  Transport,
} from "../core/types.js";

export interface RabbitTransportOptions {
  service: ServiceDef<"rabbitmq">;
  /** amqp(s)://user:pass@host:port/vhost */
  url: string;
  log: Logger;
  /** CA certificate(s) for amqps:// with a private certificate authority. */
  ca?: string | Buffer;
  /** Unacknowledged deliveries per consumer (default: the spec's rabbitmq.prefetch). */
  prefetch?: number;
  /** Unconfirmed published messages in flight at most. */
  confirmWindow?: number;
  /** A publish not confirmed within this time rejects (broker unreachable or blocked). */
  publishTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Wait queues no one declares any more are deleted this long after their delay (default 24 h). */
  waitQueueIdleMs?: number;
}

export const DEFAULT_CONFIRM_WINDOW = 500;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 30_000;

export function createRabbitTransport(opts: RabbitTransportOptions): Transport {
  const { service, log, backoff } = opts;
  const { exchange, unrouted, queueType } = service.rabbitmq;
  const vhost = vhostOf(opts.url);
  const waitQueueIdleMs = opts.waitQueueIdleMs ?? WAIT_QUEUE_IDLE_MS;
  let renewal: NodeJS.Timeout | undefined;
  // How the exchange is declared is found out once, on the first connection (openEventExchange).
  let topology: Topology | undefined;
  const topologyNow = (): Topology => {
    if (!topology) throw new Error("RabbitMQ transport: the exchange was not declared yet");
    return topology;
  };
  const connection = (role: string) =>
    new RabbitConnection({ url: opts.url, name: `${service.service} ${role}`, log, ca: opts.ca, backoff });
  const publishConnection = connection("publisher");
  const publisher = new ConfirmPublisher(publishConnection, {
    window: opts.confirmWindow ?? DEFAULT_CONFIRM_WINDOW,
    timeoutMs: opts.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    log,
    backoff,
    setup: (channel) => declareServiceTopology(channel, service, topologyNow()),
  });
  let connected: Promise<void> | undefined;
  let consumeConnection: RabbitConnection | undefined;
  let consumeConnected: Promise<void> | undefined;
  const subscriptions = new Set<RabbitSubscription>();

  // A failed first connection is not cached: the caller may try again.
  const connectOnce = (open: () => Promise<void>, forget: () => void) =>
    open().catch((err: unknown) => {
      forget();
      throw err;
    });
  const connectPublisher = () =>
    (connected ??= connectOnce(
      async () => {
        await publishConnection.open();
        const model = publishConnection.current;
        if (!model) throw new Error("the RabbitMQ connection was lost while connecting");
        topology ??= {
          exchange: await openEventExchange(model, service.rabbitmq, vhost, log),
          queueType,
          vhost,
          waitQueueIdleMs,
        };
        await publisher.open();
        renewal ??= setInterval(() => void renewWaitQueues(), Math.max(1000, waitQueueIdleMs / 4));
        renewal.unref();
      },
      () => (connected = undefined),
    ));

  /** Declares every wait queue again, so that the ones in use never reach their x-expires. */
  async function renewWaitQueues(): Promise<void> {
    const model = publishConnection.current;
    if (!model || !topology) return; // reconnecting: every channel declares them when it reopens
    try {
      const channel = await model.createChannel();
      channel.on("error", () => undefined); // reported below
      try {
        for (const consumer of Object.values(service.consumers)) await declareWaitQueues(channel, topology, consumer);
      } finally {
        await channel.close().catch(() => undefined);
      }
    } catch (err) {
      log.warn({ err }, "RabbitMQ: could not declare the wait queues again (their lease is renewed on the next try)");
    }
  }

  // An event no queue is bound to goes to the alternate exchange and its queue `<service>.unrouted`;
  // an exchange made without one returns it, and it is sent to that queue here instead.
  const routingKeyOf = (type: string) => service.events[type]?.routingKey ?? type;
  const publishEvent = (message: OutgoingMessage) => {
    const options = eventPublishOptions(message, service.service);
    return publisher
      .send({ exchange, routingKey: routingKeyOf(message.attributes.type), content: message.body, options })
      .catch((err: unknown) => {
        if (!(err instanceof UnroutableError) || err.exchange !== exchange) throw err;
        return publisher.send({ exchange: "", routingKey: unrouted, content: message.body, options });
      });
  };

  return {
    kind: "rabbitmq",

    connect: connectPublisher,

    async publish(messages: OutgoingMessage[]) {
      if (!connected) throw new Error("RabbitMQ transport: connect() before publish()");
      await connected;
      await Promise.all(messages.map(publishEvent));
    },

    async subscribe(consumer: ConsumerDef, handle: DeliveryHandler, circuit?: CircuitBreaker): Promise<Subscription> {
      await connectPublisher(); // retry and dead-letter copies go through the publisher
      const consumeWith = (consumeConnection ??= connection("consumer"));
      await (consumeConnected ??= connectOnce(
        () => consumeWith.open(),
        () => (consumeConnected = undefined),
      ));
      const subscription = new RabbitSubscription({
        connection: consumeWith,
        publisher,
        topology: topologyNow(),
        consumer,
        handle,
        ...(circuit ? { circuit } : {}),
        prefetch: opts.prefetch ?? service.rabbitmq.prefetch,
        log,
        backoff,
      });
      await subscription.start();
      subscriptions.add(subscription);
      return {
        async stop() {
          await subscription.stop();
          subscriptions.delete(subscription);
        },
      };
    },

    isReady() {
      return (
        publishConnection.isReady() &&
        publisher.isReady() &&
        (consumeConnection?.isReady() ?? true) &&
        [...subscriptions].every((subscription) => subscription.isReady())
      );
    },

    async close() {
      clearInterval(renewal);
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await publisher.close();
      await Promise.all([publishConnection.close(), consumeConnection?.close()]);
    },
  };
}
