// An in-process broker with the semantics of the real transports: a queue per consumer fed by
// event type, `concurrency` handlers in flight, retries delivered after their delays (in place
// when blocking), dead letters kept, `stop()` draining in-flight handlers. Used by `npm run dev`
// and by the test harness, which also inspects it. One delivery takes the steps of MemoryBroker
// in the order they are written: route (published, queued per consumer of its type), pump (taken
// when a handler slot and its key are free), run and attempt (the pipeline's decision, blocking
// retries in place), carryOut (ack, dead letter, or a retry queued again after its delay).
import { setTimeout as delay } from "node:timers/promises";
import { errorMessage } from "../core/errors.js";
import { failureDisposition } from "../core/pipeline.js";
import type { CircuitBreaker } from "../core/circuit.js";
import type {
  ConsumerDef,
  Delivery,
  DeliveryHandler,
  Disposition,
  Failure,
  Logger,
  OutgoingMessage,
  ServiceDef,
  Subscription,
  Transport,
} from "../core/types.js";

export interface MemoryTransportOptions {
  service: ServiceDef;
  log: Logger;
  /** Multiplies every retry delay: 0 retries at once, 0.01 makes 1 s take 10 ms (default 1). */
  timeScale?: number;
}

export interface DeadLetter {
  consumer: string;
  attributes: Record<string, string>;
  body: Buffer;
  key?: string;
  failure: Failure;
}

export interface MemoryTransport extends Transport {
  readonly kind: "memory";
  /** Every message published, in order. */
  published(): readonly OutgoingMessage[];
  /**
   * Messages of a type no consumer of the service handles, in order: kept, as RabbitMQ keeps them in
   * `<service>.unrouted`, instead of failing the publish.
   */
  unrouted(): readonly OutgoingMessage[];
  /** Dead letters, of one consumer or of all. */
  deadLetters(consumer?: string): DeadLetter[];
  /** Resolves once no subscribed consumer has an event queued or in flight and no retry is waiting. */
  idle(): Promise<void>;
}

interface ConsumerQueue {
  def: ConsumerDef;
  queue: Delivery[];
  handle?: DeliveryHandler;
  inFlight: number;
  /** Keys with an event in flight: later events of the same key wait, as on a partition. */
  busyKeys: Set<string>;
  stopping: boolean;
  /** Aborted by stop() to cut short the waits of blocking retries. */
  waits: AbortController;
  drained?: () => void;
}

/** Waits `ms`, or less when `signal` aborts (stop() cuts blocking-retry waits short). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

/** The delivery of a failed attempt's retry. */
function nextAttempt(def: ConsumerDef, delivery: Delivery, failure: Failure): Delivery {
  return { ...delivery, attempt: failure.attempt + 1, origin: `${def.group}.retry-${failure.attempt}` };
}

export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  const broker = new MemoryBroker(options);
  return {
    kind: "memory",
    async connect() {
      broker.open();
    },
    async publish(messages) {
      broker.open();
      for (const message of messages) broker.route(message);
    },
    subscribe: async (consumer, handle, circuit) => broker.subscribe(consumer, handle, circuit),
    isReady: () => broker.isReady(),
    async close() {
      broker.close();
    },
    published: () => broker.published,
    unrouted: () => broker.unrouted,
    deadLetters: (consumer) => broker.deadLetters.filter((d) => consumer === undefined || d.consumer === consumer),
    idle: () => broker.idle(),
  };
}

class MemoryBroker {
  readonly published: OutgoingMessage[] = [];
  readonly unrouted: OutgoingMessage[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private readonly consumers = new Map<string, ConsumerQueue>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private idleWaiters: Array<() => void> = [];
  private readonly timeScale: number;
  private connected = false;
  private closed = false;

  constructor(private readonly options: MemoryTransportOptions) {
    this.timeScale = options.timeScale ?? 1;
  }

  open(): void {
    if (this.closed) throw new Error("memory transport is closed");
    if (this.connected) return;
    this.connected = true;
    for (const def of Object.values(this.options.service.consumers)) this.queueOf(def);
  }

  isReady(): boolean {
    return this.connected && !this.closed;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.checkIdle();
  }

  /** A published message: one delivery queued for each consumer of its type, else kept as unrouted. */
  route(message: OutgoingMessage): void {
    this.published.push(message);
    // As a broker carries them: extensions beside the named attributes.
    const { extensions, ...named } = message.attributes;
    const attributes: Record<string, string> = { ...named, ...extensions };
    let routed = false;
    for (const state of this.consumers.values()) {
      if (!state.def.on.includes(message.attributes.type)) continue;
      routed = true;
      state.queue.push({
        attributes,
        body: message.body,
        ...(message.key === undefined ? {} : { key: message.key }),
        attempt: 1,
        origin: state.def.group,
      });
      this.pump(state);
    }
    if (!routed) this.unrouted.push(message);
  }

  /**
   * With a circuit breaker, deliveries wait in the pipeline while it is open: at most
   * `concurrency` are taken, the others stay queued.
   */
  subscribe(consumer: ConsumerDef, handle: DeliveryHandler, circuit?: CircuitBreaker): Subscription {
    this.open();
    const state = this.queueOf(consumer);
    if (state.handle) throw new Error(`consumer ${consumer.name} is already subscribed`);
    state.def = consumer;
    state.handle = handle;
    state.waits = new AbortController();
    this.pump(state);
    return { stop: () => this.unsubscribe(state, handle, circuit) };
  }

  /** Stops taking deliveries, cuts blocking-retry waits short and waits for the handlers in flight. */
  private async unsubscribe(state: ConsumerQueue, handle: DeliveryHandler, circuit?: CircuitBreaker): Promise<void> {
    if (state.handle !== handle) return;
    state.handle = undefined;
    state.stopping = true;
    state.waits.abort();
    circuit?.stop();
    if (state.inFlight > 0) await new Promise<void>((resolve) => (state.drained = resolve));
    state.stopping = false;
    state.drained = undefined;
    this.checkIdle();
  }

  /** Takes queued deliveries while a handler slot is free, each only once no event of its key is in flight. */
  private pump(state: ConsumerQueue): void {
    while (state.handle && !state.stopping && state.inFlight < Math.max(1, state.def.concurrency)) {
      const index = state.queue.findIndex((d) => d.key === undefined || !state.busyKeys.has(d.key));
      if (index < 0) break;
      const [delivery] = state.queue.splice(index, 1);
      void this.run(state, state.handle, delivery!);
    }
  }

  /** One delivery taken: decided, its decision carried out, then the next one taken. */
  private async run(state: ConsumerQueue, handle: DeliveryHandler, first: Delivery): Promise<void> {
    state.inFlight++;
    if (first.key !== undefined) state.busyKeys.add(first.key);
    const { delivery, disposition } = await this.attempt(state, handle, first);
    const unfinished =
      disposition.action === "release" || (disposition.action === "retry" && state.def.retry.mode === "blocking");
    if (unfinished) {
      state.queue.unshift(delivery); // stopped while waiting: redelivered on the next subscribe
    } else {
      this.carryOut(state, delivery, disposition);
    }
    state.inFlight--;
    if (first.key !== undefined) state.busyKeys.delete(first.key);
    if (state.inFlight === 0) state.drained?.();
    this.pump(state);
    this.checkIdle();
  }

  /**
   * The pipeline's decision on a delivery. Blocking mode retries in place (the key, like a Kafka
   * partition, waits meanwhile) until an attempt is decided otherwise or the consumer stops.
   */
  private async attempt(
    state: ConsumerQueue,
    handle: DeliveryHandler,
    first: Delivery,
  ): Promise<{ delivery: Delivery; disposition: Disposition }> {
    let delivery = first;
    let disposition = await this.decide(state, handle, delivery);
    while (disposition.action === "retry" && state.def.retry.mode === "blocking") {
      delivery = nextAttempt(state.def, delivery, disposition.failure);
      if (state.stopping) break;
      await sleep(disposition.delayMs * this.timeScale, state.waits.signal);
      if (state.stopping) break;
      disposition = await this.decide(state, handle, delivery);
    }
    return { delivery, disposition };
  }

  private async decide(state: ConsumerQueue, handle: DeliveryHandler, delivery: Delivery): Promise<Disposition> {
    try {
      return await handle(delivery);
    } catch (error) {
      // A delivery handler must not throw (the pipeline never does); if one does, the attempt
      // failed like any other, as on Kafka: retried while attempts remain, never lost.
      this.options.log.error({ err: errorMessage(error), consumer: state.def.name }, "delivery handler threw");
      const failure: Failure = {
        kind: "error",
        message: errorMessage(error),
        attempt: delivery.attempt,
        consumer: state.def.name,
        failedAt: new Date().toISOString(),
      };
      return failureDisposition(state.def, failure);
    }
  }

  /** The decision carried out: nothing more for an ack or a drop; a dead letter kept; a retry queued after its delay. */
  private carryOut(state: ConsumerQueue, delivery: Delivery, disposition: Disposition): void {
    switch (disposition.action) {
      case "ack":
      case "drop":
      case "release":
        return;
      case "dead-letter":
        this.deadLetters.push({
          consumer: state.def.name,
          attributes: delivery.attributes,
          body: delivery.body,
          ...(delivery.key === undefined ? {} : { key: delivery.key }),
          failure: disposition.failure,
        });
        disposition.confirmed?.();
        return;
      case "retry": {
        const retry = nextAttempt(state.def, delivery, disposition.failure);
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          state.queue.push(retry);
          this.pump(state);
          this.checkIdle();
        }, disposition.delayMs * this.timeScale);
        this.retryTimers.add(timer);
        return;
      }
    }
  }

  private queueOf(def: ConsumerDef): ConsumerQueue {
    let state = this.consumers.get(def.name);
    if (!state) {
      state = { def, queue: [], inFlight: 0, busyKeys: new Set(), stopping: false, waits: new AbortController() };
      this.consumers.set(def.name, state);
    }
    return state;
  }

  idle(): Promise<void> {
    return this.isIdle() ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.retryTimers.size > 0) return false;
    for (const state of this.consumers.values()) {
      if (state.inFlight > 0 || (state.handle && state.queue.length > 0)) return false;
    }
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
