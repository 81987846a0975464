// Helpers for the RabbitMQ transport tests: a service whose exchange and queues no other test
// uses, the service running on the real pipeline, a raw amqplib channel to see exactly what sits
// in a queue and to clean up, and a TCP proxy that fails like a network.
import net from "node:net";
import { connect, type Channel, type ChannelModel, type GetMessage } from "amqplib";
import { AMQP_URL, uniqueName } from "../support/brokers.js";
import { rabbitmqctl } from "../support/rabbitmqctl.js";
import { sleep } from "../support/wait.js";
import type { ConsumerHandlers } from "../../templates/runtime/core/handlers.js";
import { circuitFor } from "../../templates/runtime/core/circuit.js";
import { createMemoryStore } from "../../templates/runtime/core/idempotency.js";
import type { Metrics } from "../../templates/runtime/core/metrics.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher, type Publisher } from "../../templates/runtime/core/publisher.js";
import { createRabbitTransport, type RabbitTransportOptions } from "../../templates/runtime/rabbitmq/transport.js";
import type { ServiceDef, Subscription, Transport } from "../../templates/runtime/core/types.js";
import { onRabbitMQ, shopService, type ConsumerSpec, type Payloads } from "./fixtures.js";
import { waitQueueName } from "../../src/ir/names.js";

export interface RabbitServiceOptions {
  queueType?: "quorum" | "classic";
  prefetch?: number;
  /** Defaults to a unique name (so a unique exchange and unique queue names). */
  name?: string;
}

/** The shop service on RabbitMQ. */
export function rabbitService(
  consumers: Record<string, ConsumerSpec>,
  { queueType = "quorum", prefetch = 50, name = uniqueName("rt") }: RabbitServiceOptions = {},
): ServiceDef<"rabbitmq"> {
  const base = onRabbitMQ(shopService(consumers, name));
  return {
    ...base,
    broker: "rabbitmq",
    rabbitmq: { ...base.rabbitmq, url: AMQP_URL, queueType, prefetch },
    // Wait queues named by their delay, as the generator names them for RabbitMQ.
    consumers: Object.fromEntries(
      Object.entries(base.consumers).map(([key, consumer]) => [
        key,
        { ...consumer, retryQueues: consumer.retry.delaysMs.map((delayMs) => waitQueueName(consumer.group, delayMs)) },
      ]),
    ),
  };
}

/** Every queue the transport declares for a service. */
export function queuesOf(service: ServiceDef<"rabbitmq">): string[] {
  return Object.values(service.consumers).flatMap((c) => [
    c.group,
    ...new Set(c.retryQueues),
    ...(c.deadLetterQueue ? [c.deadLetterQueue] : []),
  ]);
}

export interface RabbitAdmin {
  model: ChannelModel;
  /** Messages ready in a queue. */
  depth(queue: string): Promise<number>;
  /** Takes (and acks) every message ready in a queue. */
  drain(queue: string): Promise<GetMessage[]>;
  /** Deletes the service's queues and exchange (and any extra queues). */
  remove(service: ServiceDef<"rabbitmq">, extraQueues?: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function openAdmin(url = AMQP_URL): Promise<RabbitAdmin> {
  const model = await connect(url);
  // A failed declaration closes a channel: each operation gets a fresh one.
  const withChannel = async <T>(work: (ch: Channel) => Promise<T>) => {
    const ch = await model.createChannel();
    ch.on("error", () => undefined);
    try {
      return await work(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  };
  return {
    model,
    depth: (queue) => withChannel(async (ch) => (await ch.checkQueue(queue)).messageCount),
    drain: (queue) =>
      withChannel(async (ch) => {
        const messages: GetMessage[] = [];
        for (let m = await ch.get(queue); m; m = await ch.get(queue)) {
          ch.ack(m);
          messages.push(m);
        }
        return messages;
      }),
    remove: (service, extraQueues = []) =>
      withChannel(async (ch) => {
        for (const queue of [...queuesOf(service), service.rabbitmq.unrouted, ...extraQueues])
          await ch.deleteQueue(queue);
        await ch.deleteExchange(service.rabbitmq.exchange);
        await ch.deleteExchange(service.rabbitmq.unrouted);
      }),
    close: () => model.close().catch(() => undefined),
  };
}

/** Header values as strings, the way a person reading the dead-letter queue sees them. */
export function textHeaders(message: GetMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(message.properties.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
}

export interface RabbitRun {
  transport: Transport;
  publisher: Publisher<Payloads>;
  subscriptions: Record<string, Subscription>;
  close(): Promise<void>;
}

/**
 * A service as the generated main would run it: the RabbitMQ transport, the publisher, and one
 * real pipeline + subscription per consumer that has handlers here (with a memory idempotency
 * store unless the consumer has none, and its circuit breaker if it has one).
 */
export async function runRabbit(
  service: ServiceDef<"rabbitmq">,
  handlers: Record<string, ConsumerHandlers>,
  {
    log = silentLogger,
    metrics,
    ...options
  }: Partial<Omit<RabbitTransportOptions, "service">> & { metrics?: Metrics } = {},
): Promise<RabbitRun> {
  const transport = createRabbitTransport({ service, url: AMQP_URL, log, backoff: FAST_BACKOFF, ...options });
  const publisher = createPublisher<Payloads>(service, transport);
  const emitter = createPublisher<Record<string, unknown>>(service, transport); // ctx.publish, untyped
  await transport.connect();
  const subscriptions: Record<string, Subscription> = {};
  for (const [name, consumerHandlers] of Object.entries(handlers)) {
    const consumer = service.consumers[name]!;
    const circuit = circuitFor(consumer, log, metrics);
    const pipeline = createPipeline({
      service,
      consumer,
      handlers: consumerHandlers,
      publisher: emitter,
      log,
      ...(metrics ? { metrics } : {}),
      ...(consumer.idempotency === "none" ? {} : { idempotency: createMemoryStore() }),
      ...(circuit ? { circuit } : {}),
    });
    subscriptions[name] = await transport.subscribe(consumer, pipeline, circuit);
  }
  return { transport, publisher, subscriptions, close: () => transport.close() };
}

/** Reconnects quickly in tests; production defaults are slower. */
export const FAST_BACKOFF = { initialMs: 100, maxMs: 2_000 };

export interface TcpProxy {
  /** AMQP_URL through the proxy. */
  url: string;
  /** Destroys every open connection at once, as a network failure would. */
  cut(): void;
  /** Stops forwarding on the open connections without closing them: only heartbeats can tell. */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of RabbitMQ, to break connections without touching the broker. */
export async function startTcpProxy(url = AMQP_URL): Promise<TcpProxy> {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const frozen = new WeakSet<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5672) });
    track(client);
    track(upstream);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk) => {
        if (!frozen.has(from)) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: proxied.toString(),
    cut: () => sockets.forEach((socket) => socket.destroy()),
    freeze: () => sockets.forEach((socket) => frozen.add(socket)),
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Stops the broker application for a moment and starts it again: every client is disconnected. */
export async function restartBrokerApp(downMs = 2_000): Promise<void> {
  await rabbitmqctl("stop_app");
  await sleep(downMs);
  await rabbitmqctl("start_app");
  await rabbitmqctl("await_startup");
}
