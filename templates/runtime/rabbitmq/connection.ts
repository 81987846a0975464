// One AMQP connection that comes back by itself. amqplib's connection recovery owns the retry
// loop (paced by backoff.ts); this keeps the current connection, its blocked state, and
// announces every fresh connection, so the channels on it can reopen and declare their topology
// again (amqplib recovers the connection only, not its channels).
import { connect, type ChannelModel, type RecoveringChannelModel } from "amqplib";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import type { Logger } from "../core/types.js";

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
  private recovering: RecoveringChannelModel | undefined;
  private model: ChannelModel | undefined;
  private blocked = false;

  constructor(private readonly opts: RabbitConnectionOptions) {}

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
    const { log, name, ca, backoff = DEFAULT_BACKOFF } = this.opts;
    const url = new URL(this.opts.url);
    const host = url.host; // for logs: the URL may carry a password
    if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", String(HEARTBEAT_SECONDS));
    const recovering = await connect(url.toString(), {
      clientProperties: { connection_name: name },
      ...(ca ? { ca: [ca] } : {}),
      recovery: {
        waitForConnect: false, // the listeners below must see the first connection too
        initialMaxRetries: 0,
        calculateDelay: (attempt) => backoffDelay(attempt - 1, backoff),
      },
    });
    this.recovering = recovering;
    let connections = 0;
    recovering.on("connect", (model: ChannelModel) => {
      this.model = model;
      if (connections++ === 0) return;
      log.info({ connection: name, host }, "RabbitMQ connection restored");
      for (const listener of this.upListeners) listener();
    });
    recovering.on("disconnect", () => {
      this.model = undefined;
      this.blocked = false;
      log.warn({ connection: name, host }, "RabbitMQ connection lost; reconnecting");
    });
    recovering.on("connect-failed", (err: Error) => {
      if (connections > 0) log.warn({ err, connection: name, host }, "RabbitMQ reconnect failed");
    });
    recovering.on("error", (err: Error) => log.warn({ err, connection: name }, "RabbitMQ connection error"));
    recovering.on("blocked", (reason: string) => {
      this.blocked = true;
      log.warn({ connection: name, reason }, "RabbitMQ blocked the connection (resource alarm); publishing paused");
    });
    recovering.on("unblocked", () => {
      this.blocked = false;
      log.info({ connection: name }, "RabbitMQ unblocked the connection");
    });
    await recovering.waitForConnect();
  }

  /** Also cuts a pending reconnect short, so shutting down never waits out a long backoff. */
  async close(): Promise<void> {
    this.model = undefined;
    await this.recovering?.close().catch(() => undefined); // already gone: nothing left to close
  }
}
