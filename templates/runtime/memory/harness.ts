// A test harness for handlers: the service's consumers on the in-memory transport with instant
// retries. Publish, wait until idle, then assert what was handled, skipped, published and dead-lettered.
// Window consumers run with an in-memory window store; closeWindows() closes every open window.
import { circuitFor } from "../core/circuit.js";
import type { ConsumerHandlers, EvgenEvent, PublishOptions } from "../core/handlers.js";
import { createMemoryStore } from "../core/idempotency.js";
import { silentLogger } from "../core/logger.js";
import { createMemoryTransport, type MemoryTransport } from "./transport.js";
import { createPipeline } from "../core/pipeline.js";
import { createPublisher } from "../core/publisher.js";
import type {
  ConsumerDef,
  Failure,
  Logger,
  OutgoingMessage,
  ServiceDef,
  Subscription,
  WindowDef,
} from "../core/types.js";
import type { AnyAggregate } from "../core/window.js";
import { startWindowCloser, windowHandlers, type WindowCloser } from "../core/window-consumer.js";
import { createMemoryWindowStore } from "../core/window-store.js";

export interface HarnessOptions {
  service: ServiceDef;
  /** Handlers (an aggregate for a window consumer) by consumer name; only these consumers run. */
  handlers: Partial<Record<string, ConsumerHandlers | AnyAggregate>>;
  /** Multiplies retry delays (default 0: retries at once). */
  timeScale?: number;
  log?: Logger;
}

export interface HandledEvent {
  consumer: string;
  event: EvgenEvent;
  attempt: number;
}

/** An event a handler skipped with `ctx.skip(reason)`. */
export interface SkippedEvent extends HandledEvent {
  reason: string;
}

/**
 * An event as published: attributes and payload (decoded from the message). Asked for by type, its
 * data is typed as that event's payload: the publisher validated it against the latest version.
 */
export interface PublishedEvent<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  source: string;
  time: string;
  dataversion: number;
  data: TData;
  key?: string;
  traceparent?: string;
}

export interface DeadLetteredEvent {
  consumer: string;
  /** The CloudEvents attributes the event arrived with. */
  attributes: Record<string, string>;
  /** The payload as JSON, or the raw text when it is not JSON. */
  data: unknown;
  failure: Failure;
}

export interface Harness<Payloads> {
  publish<T extends keyof Payloads & string>(type: T, data: Payloads[T], opts?: PublishOptions): Promise<string>;
  /** Resolves once every event, retry and follow-up event has been dealt with. */
  idle(): Promise<void>;
  /**
   * Closes every open window of the window consumers now, whatever the clock says, publishes their
   * summaries and waits until idle; resolves with how many summaries were published.
   */
  closeWindows(): Promise<number>;
  handled(consumer?: string): HandledEvent[];
  /** Events its handlers skipped with `ctx.skip(reason)` (not among handled). */
  skipped(consumer?: string): SkippedEvent[];
  published<T extends keyof Payloads & string>(type: T): PublishedEvent<T, Payloads[T]>[];
  published(): PublishedEvent[];
  /** Published events of a type no consumer of the service handles (on RabbitMQ: `<service>.unrouted`). */
  unrouted<T extends keyof Payloads & string>(type: T): PublishedEvent<T, Payloads[T]>[];
  unrouted(): PublishedEvent[];
  deadLettered(consumer?: string): DeadLetteredEvent[];
  /** The underlying transport, e.g. to inject a malformed message. */
  transport: MemoryTransport;
  close(): Promise<void>;
}

function parseBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Typed by the overloads of Harness.published: the publisher validated each payload against its type's latest version.
function publishedEvents(messages: readonly OutgoingMessage[], type: string | undefined): PublishedEvent<any, any>[] {
  return messages
    .filter((m) => type === undefined || m.attributes.type === type)
    .map(({ attributes: a, key, body }) => ({
      id: a.id,
      type: a.type,
      source: a.source,
      time: a.time,
      dataversion: Number(a.dataversion),
      data: parseBody(body),
      ...(key === undefined ? {} : { key }),
      ...(a.traceparent === undefined ? {} : { traceparent: a.traceparent }),
    }));
}

export function createHarness<Payloads = Record<string, unknown>>(options: HarnessOptions): Harness<Payloads> {
  const { service } = options;
  const log = options.log ?? silentLogger;
  const transport = createMemoryTransport({ service, log, timeScale: options.timeScale ?? 0 });
  const publisher = createPublisher<Record<string, unknown>>(service, transport);
  const idempotency = createMemoryStore();
  const windows = createMemoryWindowStore();
  const closers: WindowCloser[] = [];
  const handledLog: HandledEvent[] = [];
  const skippedLog: SkippedEvent[] = [];

  const pipelines = Object.entries(options.handlers).map(([name, given]) => {
    const consumer = service.consumers[name];
    if (!consumer) throw new Error(`unknown consumer "${name}"`);
    let handlers = (given ?? {}) as ConsumerHandlers;
    if (isWindowed(consumer)) {
      const windowed = { consumer, aggregate: given as AnyAggregate, store: windows, publisher, log };
      handlers = windowHandlers(windowed);
      // Ticks far apart: the test decides when windows close.
      closers.push(startWindowCloser({ ...windowed, tickMs: 2 ** 31 - 1 }));
    }
    const circuit = circuitFor(consumer, log);
    const handle = createPipeline({
      service,
      consumer,
      handlers,
      publisher,
      ...(consumer.idempotency === "none" ? {} : { idempotency }),
      log,
      onHandled: (event, attempt) => handledLog.push({ consumer: name, event, attempt }),
      onSkipped: (event, attempt, reason) => skippedLog.push({ consumer: name, event, attempt, reason }),
      ...(circuit ? { circuit } : {}),
    });
    return { consumer, handle, circuit };
  });
  const subscribed: Promise<Subscription[]> = Promise.all(
    pipelines.map(({ consumer, handle, circuit }) => transport.subscribe(consumer, handle, circuit)),
  );

  return {
    async publish(type, data, opts) {
      await subscribed;
      return publisher.publish(type, data as unknown, opts);
    },
    async idle() {
      await subscribed;
      await transport.idle();
    },
    async closeWindows() {
      await subscribed;
      await transport.idle();
      let published = 0;
      for (const closer of closers) published += await closer.closeDue(Number.MAX_SAFE_INTEGER);
      await transport.idle();
      return published;
    },
    handled: (consumer) => handledLog.filter((h) => consumer === undefined || h.consumer === consumer),
    skipped: (consumer) => skippedLog.filter((s) => consumer === undefined || s.consumer === consumer),
    published: (type?: string) => publishedEvents(transport.published(), type),
    unrouted: (type?: string) => publishedEvents(transport.unrouted(), type),
    deadLettered: (consumer) =>
      transport.deadLetters(consumer).map((d) => ({
        consumer: d.consumer,
        attributes: d.attributes,
        data: parseBody(d.body),
        failure: d.failure,
      })),
    transport,
    async close() {
      for (const subscription of await subscribed) await subscription.stop();
      for (const closer of closers) await closer.stop();
      await publisher.close();
      await transport.close();
      await idempotency.close();
      await windows.close();
    },
  };
}

const isWindowed = (consumer: ConsumerDef): consumer is ConsumerDef & { window: WindowDef } =>
  consumer.window !== undefined;
