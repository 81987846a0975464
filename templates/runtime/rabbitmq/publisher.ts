// Publishing with publisher confirms: send() resolves only once RabbitMQ has taken the message.
// Up to `window` messages are unconfirmed at once (a pipeline, never a round trip per message);
// when amqplib's socket buffer is full (publish() returns false) sending pauses until "drain";
// a mandatory message no queue takes comes back as "return" and fails its caller; messages
// caught in a lost channel are sent again on the next one, until their deadline rejects them.
import type { ConfirmChannel, Message, Options } from "amqplib";
import { UndeliverableError } from "../core/errors.js";
import type { BackoffOptions } from "./backoff.js";
import { RabbitChannel } from "./channel.js";
import type { RabbitConnection } from "./connection.js";
import type { Logger } from "../core/types.js";

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

export interface ConfirmPublisherOptions {
  /** Unconfirmed messages in flight at most. */
  window: number;
  /** A message not confirmed by then (broker down, connection blocked) rejects its caller. */
  timeoutMs: number;
  log: Logger;
  backoff?: BackoffOptions;
  /** Declares the topology on every new channel. */
  setup(channel: ConfirmChannel): Promise<void>;
}

export class UnroutableError extends UndeliverableError {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
  ) {
    super(
      exchange === ""
        ? `RabbitMQ returned the message as unroutable: queue "${routingKey}" does not exist`
        : `RabbitMQ returned the message as unroutable: no queue is bound to routing key "${routingKey}" on exchange "${exchange}"`,
    );
    this.name = "UnroutableError";
  }
}

interface Pending {
  request: PublishRequest;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  settled: boolean;
  /** The channel it was last sent on; a confirm from any other channel is stale. */
  sentOn: ConfirmChannel | undefined;
}

export class ConfirmPublisher {
  private readonly channel: RabbitChannel<ConfirmChannel>;
  private readonly waiting = new Fifo<Pending>();
  /** Caught in a lost channel: sent again first, in their original order. */
  private resend: Pending[] = [];
  private readonly inFlight = new Set<Pending>();
  /** Returns seen on the current channel, by returnKey; each is matched by the confirm that follows it. */
  private returned = new Map<string, number>();
  private awaitingDrain = false;
  private unsettled = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    connection: RabbitConnection,
    private readonly opts: ConfirmPublisherOptions,
  ) {
    this.channel = new RabbitChannel<ConfirmChannel>(connection, {
      name: "publisher",
      confirm: true,
      log: opts.log,
      backoff: opts.backoff,
      setup: opts.setup,
      onOpen: (channel) => this.attach(channel),
    });
  }

  open(): Promise<void> {
    return this.channel.open();
  }

  /** False while its channel is being reopened. */
  isReady(): boolean {
    return this.channel.current !== undefined;
  }

  send(request: PublishRequest): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the RabbitMQ publisher is closed"));
    return new Promise((resolve, reject) => {
      const { timeoutMs } = this.opts;
      const timer = setTimeout(() => {
        const reason = "broker unreachable, or publishing blocked";
        this.settle(
          pending,
          new Error(`RabbitMQ did not confirm "${request.routingKey}" within ${timeoutMs} ms (${reason})`),
        );
      }, timeoutMs);
      const pending: Pending = { request, resolve, reject, timer, settled: false, sentOn: undefined };
      this.unsettled++;
      this.waiting.push(pending);
      this.pump();
    });
  }

  /** Stops accepting messages, waits until every one sent is confirmed or rejected, closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.unsettled > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.channel.close();
  }

  private attach(channel: ConfirmChannel): void {
    this.returned = new Map();
    this.awaitingDrain = false;
    channel.on("return", (message: Message) => {
      const key = returnKey(message.fields.exchange, message.fields.routingKey, message.properties.messageId);
      this.returned.set(key, (this.returned.get(key) ?? 0) + 1);
    });
    if (this.resend.length > 0) {
      this.opts.log.info(
        { messages: this.resend.length },
        "RabbitMQ: sending again what the lost channel left unconfirmed",
      );
    }
    this.pump();
  }

  private pump(): void {
    const channel = this.channel.current;
    while (channel && !this.awaitingDrain && this.inFlight.size < this.opts.window) {
      const pending = this.resend.shift() ?? this.waiting.shift();
      if (!pending) return;
      if (pending.settled) continue; // timed out while waiting
      const { exchange, routingKey, content, options } = pending.request;
      pending.sentOn = channel;
      this.inFlight.add(pending);
      let accepted: boolean;
      try {
        accepted = channel.publish(exchange, routingKey, content, options, (err: Error | null) =>
          this.confirmed(pending, channel, err),
        );
      } catch (err) {
        pending.sentOn = undefined;
        this.inFlight.delete(pending);
        if ((err as Error).name === "IllegalOperationError") {
          this.resend.unshift(pending); // the channel is closing under us: keep it for the next one
          return;
        }
        // amqplib could not encode it (e.g. headers past its 64 KiB table: a RangeError). It throws
        // before counting the message as unconfirmed, so the channel's confirms still line up.
        this.settle(pending, err as Error);
        continue;
      }
      if (!accepted) {
        this.awaitingDrain = true;
        channel.once("drain", () => {
          this.awaitingDrain = false;
          this.pump();
        });
      }
    }
  }

  private confirmed(pending: Pending, channel: ConfirmChannel, err: Error | null): void {
    if (pending.sentOn !== channel) return;
    pending.sentOn = undefined;
    this.inFlight.delete(pending);
    const { exchange, routingKey, options } = pending.request;
    const key = returnKey(exchange, routingKey, options.messageId);
    const returns = this.returned.get(key) ?? 0;
    if (returns > 0) {
      // RabbitMQ sends basic.return before the ack of the same message.
      this.returned.set(key, returns - 1);
      this.settle(pending, new UnroutableError(exchange, routingKey));
    } else if (err === null) {
      this.settle(pending);
    } else if (err.message === "message nacked") {
      this.settle(pending, new Error(`RabbitMQ refused the message for "${routingKey}" (nack)`));
    } else if (!pending.settled) {
      this.resend.push(pending); // the channel closed before the confirm arrived
    }
    this.pump();
  }

  private settle(pending: Pending, err?: Error): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    if (err) pending.reject(err);
    else pending.resolve();
    if (--this.unsettled === 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}

function returnKey(exchange: string, routingKey: string, messageId: unknown): string {
  return `${exchange}\n${routingKey}\n${String(messageId)}`;
}

/** A queue with O(1) shift: Array#shift copies the whole array once it is large. */
class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
