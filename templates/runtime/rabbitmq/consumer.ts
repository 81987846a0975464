// One consumer's subscription: manual acks, `prefetch` deliveries buffered, `concurrency`
// handlers at once. The pipeline decides (DeliveryHandler -> Disposition); this carries the
// decision out, and acks only once the retry or dead-letter copy was confirmed. A delivery is
// acked only on the channel it came from: after a channel loss the broker redelivers it anyway,
// and an ack with a stale delivery tag would make RabbitMQ close the new channel.
import type { Channel, ConsumeMessage } from "amqplib";
import type { CircuitBreaker } from "../core/circuit.js";
import { AckBatcher } from "./acks.js";
import type { BackoffOptions } from "./backoff.js";
import { RabbitChannel } from "./channel.js";
import type { RabbitConnection } from "./connection.js";
import type { ConfirmPublisher } from "./publisher.js";
import { declareConsumerTopology, type Topology } from "./topology.js";
import { failureCopyOptions, readDelivery } from "./wire.js";
import {
  deadLetterQueueOf,
  type ConsumerDef,
  type DeliveryHandler,
  type Disposition,
  type Logger,
  type Subscription,
} from "../core/types.js";

export interface RabbitSubscriptionOptions {
  connection: RabbitConnection;
  /** Sends retry and dead-letter copies (publisher confirms). */
  publisher: ConfirmPublisher;
  topology: Topology;
  consumer: ConsumerDef;
  handle: DeliveryHandler;
  /**
   * The consumer's circuit breaker. While it is open, the deliveries taken wait in the pipeline
   * unacknowledged, so the prefetch limit stops the broker from sending more.
   */
  circuit?: CircuitBreaker;
  prefetch: number;
  log: Logger;
  backoff?: BackoffOptions;
}

/** The channel a delivery arrived on, and whether its delivery tags are still valid. */
interface Lease {
  channel: Channel;
  acks: AckBatcher;
  open: boolean;
  consumerTag?: string;
}

interface Inbound {
  message: ConsumeMessage;
  lease: Lease;
}

export class RabbitSubscription implements Subscription {
  private readonly channel: RabbitChannel<Channel>;
  private lease: Lease | undefined;
  private backlog: Inbound[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: RabbitSubscriptionOptions) {
    this.channel = new RabbitChannel<Channel>(opts.connection, {
      name: opts.consumer.group,
      confirm: false,
      log: opts.log,
      backoff: opts.backoff,
      setup: (channel) => this.setup(channel),
    });
  }

  /** Declares the consumer's queues and starts consuming; rejects on a topology conflict. */
  start(): Promise<void> {
    return this.channel.open();
  }

  /** False while its channel is being reopened (after a loss, or a topology conflict). */
  isReady(): boolean {
    return this.channel.current !== undefined;
  }

  /** Cancels the consumer, waits for running handlers and their acks, closes the channel. */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    // Events waiting for the circuit are released: they go back to the queue with the channel.
    this.opts.circuit?.stop();
    const lease = this.lease;
    if (lease?.open && lease.consumerTag) {
      await lease.channel.cancel(lease.consumerTag).catch(() => undefined); // channel lost: nothing to cancel
    }
    // Unstarted deliveries go back to the queue when the channel closes. They are not nacked:
    // on a quorum queue (RabbitMQ 3.10), acks sent after a requeue on a cancelled consumer are
    // lost, and the events in flight right now would be delivered a second time.
    this.backlog = [];
    await Promise.allSettled(this.running);
    if (lease?.open) lease.acks.flush();
    await this.channel.close();
  }

  private async setup(channel: Channel): Promise<void> {
    const { consumer, topology, prefetch } = this.opts;
    await declareConsumerTopology(channel, topology, consumer);
    await channel.prefetch(Math.max(prefetch, consumer.concurrency));
    const lease: Lease = { channel, acks: new AckBatcher(channel), open: true };
    channel.on("close", () => {
      lease.open = false;
      this.backlog = this.backlog.filter((inbound) => inbound.lease.open); // the broker redelivers them
    });
    const { consumerTag } = await channel.consume(consumer.group, (message) => this.receive(message, lease));
    lease.consumerTag = consumerTag;
    this.lease = lease;
  }

  private receive(message: ConsumeMessage | null, lease: Lease): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): a new channel declares it again.
      this.opts.log.warn({ queue: this.opts.consumer.group }, "RabbitMQ cancelled the consumer; resubscribing");
      void lease.channel.close().catch(() => undefined);
      return;
    }
    lease.acks.delivered(message);
    this.backlog.push({ message, lease });
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.opts.consumer.concurrency) {
      const inbound = this.backlog.shift();
      if (!inbound) return;
      const run: Promise<void> = this.process(inbound).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async process(inbound: Inbound): Promise<void> {
    const { consumer, handle, log } = this.opts;
    const delivery = readDelivery(inbound.message, consumer.group, consumer.retry.attempts);
    try {
      const disposition = await handle(delivery);
      if (disposition.action === "release") {
        this.settle(inbound, "requeue");
        return;
      }
      await this.carryOut(inbound, disposition);
      this.settle(inbound, "ack");
    } catch (err) {
      log.error(
        { err, consumer: consumer.name, origin: delivery.origin, id: delivery.attributes.id },
        "RabbitMQ delivery could not be processed; returned to the queue",
      );
      this.settle(inbound, "requeue");
    }
  }

  private async carryOut(
    { message, lease }: Inbound,
    disposition: Exclude<Disposition, { action: "release" }>,
  ): Promise<void> {
    const { consumer, publisher, log } = this.opts;
    // Copies of a delivery whose channel is gone would duplicate the redelivery the broker makes.
    if (disposition.action === "ack" || !lease.open) return;
    const { failure } = disposition;
    if (disposition.action === "drop") {
      // The pipeline logged the failure as an error already.
      log.warn({ consumer: consumer.name, id: message.properties.messageId }, "dropped event acknowledged");
      return;
    }
    if (disposition.action === "retry") {
      const queue = consumer.retryQueues[failure.attempt - 1];
      if (!queue) throw new Error(`consumer "${consumer.name}" has no wait queue for attempt ${failure.attempt + 1}`);
      const dueAt = Date.now() + disposition.delayMs;
      await publisher.send({
        exchange: "",
        routingKey: queue,
        content: message.content,
        options: failureCopyOptions(message, failure, consumer.group, dueAt),
      });
      return;
    }
    await publisher.send({
      exchange: "",
      routingKey: deadLetterQueueOf(consumer),
      content: message.content,
      options: failureCopyOptions(message, failure, consumer.group),
    });
    disposition.confirmed?.();
  }

  private settle({ message, lease }: Inbound, how: "ack" | "requeue"): void {
    if (!lease.open) return; // the broker redelivers it on another channel
    if (how === "ack") {
      lease.acks.ack(message);
    } else if (!this.stopping) {
      lease.acks.requeue(message); // when stopping, closing the channel requeues it (see drain)
    }
  }
}
