// One AMQP connection that comes back by itself. amqplib has no reconnection: this owns the
// retry loop (exponential backoff with jitter) and announces every fresh connection, so the
// channels on it can reopen and declare their topology again.
import { connect, type ChannelModel } from "amqplib";
import { backoffDelay, DEFAULT_BACKOFF, Pause, type BackoffOptions } from "./rabbitmq-backoff.js";
import type { Logger } from "./types.js";

export interface RabbitConnectionOptions {
  url: string;
  /** Shown by `rabbitmqctl list_connections name` and in the management UI. */
  name: string;
  log: Logger;
  /** CA certificate(s) for amqps:// with a private certificate authority. */
  ca?: string | Buffer;
  backoff?: BackoffOptions;
}

/** A dead peer is noticed within two heartbeats; the AMQP default of 60 s is too slow for a service. */
const HEARTBEAT_SECONDS = 10;

export class RabbitConnection {
  private readonly upListeners = new Set<() => void>();
  private model: ChannelModel | undefined;
  private blocked = false;
  private closing = false;
  private readonly pause = new Pause();
  private readonly host: string;

  constructor(private readonly opts: RabbitConnectionOptions) {
    this.host = new URL(opts.url).host; // for logs: the URL may carry a password
  }

  get current(): ChannelModel | undefined {
    return this.model;
  }

  /** Up and not blocked by a broker resource alarm (publishes would only pile up). */
  isReady(): boolean {
    return this.model !== undefined && !this.blocked;
  }

  /** Calls `listener` after every reconnect; returns the unsubscribe function. */
  onReconnect(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /** The first connection fails fast, so a wrong URL or wrong credentials surface at start. */
  async open(): Promise<void> {
    this.adopt(await this.dial());
  }

  async close(): Promise<void> {
    this.closing = true;
    this.pause.cancel();
    const model = this.model;
    this.model = undefined;
    await model?.close().catch(() => undefined); // already gone: nothing left to close
  }

  private dial(): Promise<ChannelModel> {
    const url = new URL(this.opts.url);
    if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", String(HEARTBEAT_SECONDS));
    return connect(url.toString(), {
      clientProperties: { connection_name: this.opts.name },
      ...(this.opts.ca ? { ca: [this.opts.ca] } : {}),
    });
  }

  private adopt(model: ChannelModel): void {
    const { log, name } = this.opts;
    model.on("error", (err: Error) => log.warn({ err, connection: name }, "RabbitMQ connection error"));
    model.on("close", () => this.lost(model));
    model.on("blocked", (reason: string) => {
      this.blocked = true;
      log.warn({ connection: name, reason }, "RabbitMQ blocked the connection (resource alarm); publishing paused");
    });
    model.on("unblocked", () => {
      this.blocked = false;
      log.info({ connection: name }, "RabbitMQ unblocked the connection");
    });
    this.model = model;
  }

  private lost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.blocked = false;
    if (this.closing) return;
    this.opts.log.warn({ connection: this.opts.name, host: this.host }, "RabbitMQ connection lost; reconnecting");
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const { log, name, backoff = DEFAULT_BACKOFF } = this.opts;
    for (let attempt = 0; !this.closing; attempt++) {
      await this.pause.wait(backoffDelay(attempt, backoff));
      if (this.closing) return;
      try {
        const model = await this.dial();
        if (this.closing) {
          await model.close().catch(() => undefined);
          return;
        }
        log.info({ connection: name, host: this.host, attempts: attempt + 1 }, "RabbitMQ connection restored");
        this.adopt(model);
        for (const listener of this.upListeners) listener();
        return;
      } catch (err) {
        log.warn({ err, connection: name, host: this.host, attempt: attempt + 1 }, "RabbitMQ reconnect failed");
      }
    }
  }
}
