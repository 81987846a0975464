// An in-process broker with the semantics of the real transports: a queue per consumer fed by
// event type, `concurrency` handlers in flight, retries delivered after their delays (in place
// when blocking), dead letters kept, `stop()` draining in-flight handlers. Used by `npm run dev`
// and by the test harness, which also inspects it.
import { setTimeout as delay } from "node:timers/promises";
import { errorMessage } from "../core/errors.js";
import { failureDisposition } from "../core/pipeline.js";
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

export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  const { service, log } = options;
  const timeScale = options.timeScale ?? 1;
  const consumers = new Map<string, ConsumerQueue>();
  const publishedLog: OutgoingMessage[] = [];
  const unroutedLog: OutgoingMessage[] = [];
  const deadLetterLog: DeadLetter[] = [];
  const retryTimers = new Set<NodeJS.Timeout>();
  let idleWaiters: Array<() => void> = [];
  let connected = false;
  let closed = false;

  function queueOf(def: ConsumerDef): ConsumerQueue {
    let state = consumers.get(def.name);
    if (!state) {
      state = {
        def,
        queue: [],
        inFlight: 0,
        busyKeys: new Set(),
        stopping: false,
        waits: new AbortController(),
      };
      consumers.set(def.name, state);
    }
    return state;
  }

  function isIdle(): boolean {
    if (retryTimers.size > 0) return false;
    for (const state of consumers.values()) {
      if (state.inFlight > 0 || (state.handle && state.queue.length > 0)) return false;
    }
    return true;
  }

  function checkIdle(): void {
    if (idleWaiters.length === 0 || !isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function pump(state: ConsumerQueue): void {
    while (state.handle && !state.stopping && state.inFlight < Math.max(1, state.def.concurrency)) {
      const index = state.queue.findIndex((d) => d.key === undefined || !state.busyKeys.has(d.key));
      if (index < 0) break;
      const [delivery] = state.queue.splice(index, 1);
      void run(state, state.handle, delivery!);
    }
  }

  function nextAttempt(state: ConsumerQueue, delivery: Delivery, failure: Failure): Delivery {
    return {
      ...delivery,
      attempt: failure.attempt + 1,
      origin: `${state.def.group}.retry-${failure.attempt}`,
    };
  }

  async function decide(state: ConsumerQueue, handle: DeliveryHandler, delivery: Delivery): Promise<Disposition> {
    try {
      return await handle(delivery);
    } catch (error) {
      // A delivery handler must not throw (the pipeline never does); if one does, the attempt
      // failed like any other, as on Kafka: retried while attempts remain, never lost.
      log.error({ err: errorMessage(error), consumer: state.def.name }, "delivery handler threw");
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

  async function run(state: ConsumerQueue, handle: DeliveryHandler, first: Delivery): Promise<void> {
    state.inFlight++;
    if (first.key !== undefined) state.busyKeys.add(first.key);
    let delivery = first;
    let disposition = await decide(state, handle, delivery);
    // Blocking mode retries in place: the key (like a Kafka partition) waits meanwhile.
    while (disposition.action === "retry" && state.def.retry.mode === "blocking") {
      delivery = nextAttempt(state, delivery, disposition.failure);
      if (state.stopping) break;
      await sleep(disposition.delayMs * timeScale, state.waits.signal);
      if (state.stopping) break;
      disposition = await decide(state, handle, delivery);
    }
    if (disposition.action === "release" || (disposition.action === "retry" && state.def.retry.mode === "blocking")) {
      state.queue.unshift(delivery); // stopped while waiting: redelivered on the next subscribe
    } else {
      carryOut(state, delivery, disposition);
    }
    state.inFlight--;
    if (first.key !== undefined) state.busyKeys.delete(first.key);
    if (state.inFlight === 0) state.drained?.();
    pump(state);
    checkIdle();
  }

  function carryOut(state: ConsumerQueue, delivery: Delivery, disposition: Disposition): void {
    switch (disposition.action) {
      case "ack":
      case "drop":
      case "release":
        return;
      case "dead-letter":
        deadLetterLog.push({
          consumer: state.def.name,
          attributes: delivery.attributes,
          body: delivery.body,
          ...(delivery.key === undefined ? {} : { key: delivery.key }),
          failure: disposition.failure,
        });
        disposition.confirmed?.();
        return;
      case "retry": {
        const retry = nextAttempt(state, delivery, disposition.failure);
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          state.queue.push(retry);
          pump(state);
          checkIdle();
        }, disposition.delayMs * timeScale);
        retryTimers.add(timer);
        return;
      }
    }
  }

  function ensureOpen(): void {
    if (closed) throw new Error("memory transport is closed");
    if (connected) return;
    connected = true;
    for (const def of Object.values(service.consumers)) queueOf(def);
  }

  return {
    kind: "memory",
    async connect() {
      ensureOpen();
    },
    async publish(messages) {
      ensureOpen();
      for (const message of messages) {
        publishedLog.push(message);
        // As a broker carries them: extensions beside the named attributes.
        const { extensions, ...named } = message.attributes;
        const attributes: Record<string, string> = { ...named, ...extensions };
        let routed = false;
        for (const state of consumers.values()) {
          if (!state.def.on.includes(message.attributes.type)) continue;
          routed = true;
          state.queue.push({
            attributes,
            body: message.body,
            ...(message.key === undefined ? {} : { key: message.key }),
            attempt: 1,
            origin: state.def.group,
          });
          pump(state);
        }
        if (!routed) unroutedLog.push(message);
      }
    },
    // With a circuit breaker, deliveries wait in the pipeline while it is open: at most
    // `concurrency` are taken, the others stay queued.
    async subscribe(consumer, handle, circuit): Promise<Subscription> {
      ensureOpen();
      const state = queueOf(consumer);
      if (state.handle) throw new Error(`consumer ${consumer.name} is already subscribed`);
      state.def = consumer;
      state.handle = handle;
      state.waits = new AbortController();
      pump(state);
      return {
        async stop() {
          if (state.handle !== handle) return;
          state.handle = undefined;
          state.stopping = true;
          state.waits.abort();
          circuit?.stop();
          if (state.inFlight > 0) await new Promise<void>((resolve) => (state.drained = resolve));
          state.stopping = false;
          state.drained = undefined;
          checkIdle();
        },
      };
    },
    isReady: () => connected && !closed,
    async close() {
      closed = true;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      checkIdle();
    },
    published: () => publishedLog,
    unrouted: () => unroutedLog,
    deadLetters: (consumer) => deadLetterLog.filter((d) => consumer === undefined || d.consumer === consumer),
    idle() {
      return isIdle() ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
