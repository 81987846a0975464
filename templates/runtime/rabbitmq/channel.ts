// A channel that reopens itself. RabbitMQ closes a channel on any protocol error (an unknown
// exchange, an inequivalent queue declaration, a stale delivery tag) and every channel dies with
// its connection; `setup` runs on each new channel before it is used, so topology and consumers
// are back after any loss.
import { setTimeout as delay } from "node:timers/promises";
import type { Channel } from "amqplib";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import type { RabbitConnection } from "./connection.js";
import { TopologyConflictError } from "./topology.js";
import type { Logger } from "../core/types.js";

export interface RabbitChannelOptions<C extends Channel> {
  /** For logs: "publisher", or the consumer's queue. */
  name: string;
  /** Publisher confirms on (a ConfirmChannel). */
  confirm: boolean;
  log: Logger;
  backoff?: BackoffOptions;
  /** Declares what the channel needs (and starts consuming); a failure closes the channel. */
  setup(channel: C): Promise<void>;
  /** Called with every channel that completed setup. */
  onOpen?(channel: C): void;
}

export class RabbitChannel<C extends Channel> {
  private channel: C | undefined;
  /** Set by the first successful open(); before that, errors belong to the caller of open(). */
  private active = false;
  private closing = false;
  private reopening = false;
  /** Aborted by close(), which so cuts a backoff wait short. */
  private readonly closed = new AbortController();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly connection: RabbitConnection,
    private readonly opts: RabbitChannelOptions<C>,
  ) {
    this.unsubscribe = connection.onReconnect(() => {
      if (this.active) void this.reopen(false);
    });
  }

  get current(): C | undefined {
    return this.channel;
  }

  /** Opens the first channel; rejects with the setup error (e.g. a conflicting queue declaration). */
  async open(): Promise<void> {
    try {
      this.adopt(await this.create());
    } catch (err) {
      await this.close();
      throw err;
    }
    this.active = true;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    this.closed.abort();
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined); // closed with its connection already
  }

  private async create(): Promise<C> {
    const model = this.connection.current;
    if (!model) throw new Error("the RabbitMQ connection is down");
    const channel = (this.opts.confirm ? await model.createConfirmChannel() : await model.createChannel()) as C;
    channel.on("error", (err: Error) => this.opts.log.warn({ err, channel: this.opts.name }, "RabbitMQ channel error"));
    channel.on("close", () => this.lost(channel));
    try {
      await this.opts.setup(channel);
    } catch (err) {
      await channel.close().catch(() => undefined); // a failed declaration has closed it already
      throw err;
    }
    return channel;
  }

  private adopt(channel: C): void {
    if (this.closing) {
      void channel.close().catch(() => undefined);
      return;
    }
    this.channel = channel;
    this.opts.onOpen?.(channel);
  }

  private lost(channel: C): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    // A lost connection reopens its channels once it is back; a channel error alone is repaired now.
    if (!this.closing && this.connection.current) void this.reopen(true);
  }

  private async reopen(pauseFirst: boolean): Promise<void> {
    if (this.reopening || this.closing) return;
    this.reopening = true;
    const { log, name, backoff = DEFAULT_BACKOFF } = this.opts;
    try {
      for (let attempt = 0; !this.closing && !this.channel && this.connection.current; attempt++) {
        // A channel the broker closes right after setup must not turn into a busy loop.
        if (pauseFirst || attempt > 0) {
          await delay(backoffDelay(attempt, backoff), undefined, { signal: this.closed.signal }).catch(() => undefined);
        }
        if (this.closing || !this.connection.current) return;
        try {
          this.adopt(await this.create());
          log.info({ channel: name }, "RabbitMQ channel reopened");
        } catch (err) {
          // A conflicting declaration needs a person; anything else is the connection going away.
          const level = err instanceof TopologyConflictError ? "error" : "warn";
          log[level]({ err, channel: name }, "RabbitMQ channel could not be reopened; retrying");
        }
      }
    } finally {
      this.reopening = false;
    }
  }
}
