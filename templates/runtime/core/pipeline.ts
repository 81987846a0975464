// The broker-neutral consumer pipeline: one delivery in, one decision out. It never throws and
// never touches a broker: the transport carries the decision out. A delivery takes these steps,
// each a method of ConsumerPipeline below (`decide` reads them in order):
//   1. decode: the CloudEvent, in binary or structured mode, validated against its version's
//      schema; another consumer's type on a shared topic is skipped, an invalid event rejected;
//   2. filter: an event the consumer's filter does not match is skipped;
//   3. admit: with a circuit breaker, the handler runs once the circuit admits it;
//   4. once: with an idempotency store, an event handled before is skipped as a duplicate;
//   5. run: the handler, under the consumer's timeout;
//   6. the decision: handled or skipped, else retry, dead letter or drop (failureDisposition).
// With no store to ask and a handler that returns without a promise, the decision is made at once,
// without a promise: the per-event path is benchmarked (docs/architecture.md, the runtime).
import {
  contextProblem,
  decodeData,
  isStructuredMode,
  readStructured,
  type Decoded,
  type WireRead,
} from "./cloudevents.js";
import type { Admission, CircuitBreaker } from "./circuit.js";
import { Deadlines } from "./deadlines.js";
import { NonRetryableError, errorMessage, truncateUtf8 } from "./errors.js";
import { DeliveryLogger, EventContext } from "./event-context.js";
import { compileFilter } from "./filter.js";
import type { ConsumerHandlers, EvgenEvent } from "./handlers.js";
import type { IdempotencyStore } from "./idempotency.js";
import { isLevelEnabled } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { Publisher } from "./publisher.js";
import type {
  ConsumerDef,
  Delivery,
  DeliveryHandler,
  Disposition,
  Failure,
  FailureKind,
  Logger,
  ServiceDef,
} from "./types.js";

export interface PipelineOptions {
  service: ServiceDef;
  consumer: ConsumerDef;
  /** A handler for every type in `consumer.on`. */
  handlers: ConsumerHandlers;
  /** Used by `ctx.publish`. */
  publisher: Publisher<Record<string, unknown>>;
  /** Omitted when the consumer's idempotency is "none". */
  idempotency?: IdempotencyStore;
  log: Logger;
  metrics?: Metrics;
  /** Called after a handler succeeded (the test harness records handled events with it). */
  onHandled?(event: EvgenEvent, attempt: number): void;
  /** Called after a handler skipped its event with `ctx.skip(reason)`. */
  onSkipped?(event: EvgenEvent, attempt: number, reason: string): void;
  /** A call to the idempotency store that takes longer fails its attempt (default 5 s). */
  storeTimeoutMs?: number;
  /** The consumer's circuit breaker, when it has one: handlers run only when it admits them. */
  circuit?: CircuitBreaker;
}

export const DEFAULT_STORE_TIMEOUT_MS = 5000;

/** The metric label of event types the spec does not declare: forged types must not add series. */
export const UNKNOWN_TYPE_LABEL = "unknown";

class HandlerTimeoutError extends Error {
  override name = "HandlerTimeoutError";
}

class StoreTimeoutError extends Error {
  override name = "StoreTimeoutError";
}

/**
 * `work`, or a StoreTimeoutError once its deadline passed: a store that accepts connections and
 * never answers must not hold a delivery, and with it the consumer, for ever.
 */
function withinDeadline<T>(work: Promise<T>, deadlines: Deadlines, what: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = deadlines.start(() => reject(new StoreTimeoutError(`${what}: no answer within ${timeoutMs} ms`)));
    const settled = () => {
      if (deadline.done) return false;
      deadlines.finish(deadline);
      return true;
    };
    work.then(
      (value) => settled() && resolve(value),
      (error: unknown) => settled() && reject(error),
    );
  });
}

/**
 * What a failed attempt leads to: a retry while attempts remain (for the kinds worth retrying),
 * then the dead letter, or a drop when the consumer has none.
 */
export function failureDisposition(consumer: ConsumerDef, failure: Failure): Disposition {
  const retryable = failure.kind === "error" || failure.kind === "timeout";
  if (retryable && failure.attempt < consumer.retry.attempts) {
    const delays = consumer.retry.delaysMs;
    return { action: "retry", failure, delayMs: delays[failure.attempt - 1] ?? delays[delays.length - 1] ?? 0 };
  }
  return consumer.deadLetter ? { action: "dead-letter", failure } : { action: "drop", failure };
}

const HANDLED: Disposition = Object.freeze({ action: "ack", outcome: "handled" });
const SKIPPED: Disposition = Object.freeze({ action: "ack", outcome: "skipped" });
/** Skipped by its handler (`ctx.skip`): a run that decided, remembered by the idempotency store like a handled one. */
const SKIPPED_BY_HANDLER: Disposition = Object.freeze({ action: "ack", outcome: "skipped" });

/** Distinct `ctx.skip` reasons per consumer that become metric labels; later ones count as "other". */
export const MAX_SKIP_REASONS = 20;
const SKIP_REASON = /^[a-z][a-z0-9-]{0,39}$/;
const BUILT_IN_SKIP_REASONS = new Set(["filter", "unhandled-type", "duplicate", "other"]);
const DUPLICATE: Disposition = Object.freeze({ action: "ack", outcome: "duplicate" });
const RELEASE: Disposition = Object.freeze({ action: "release" });
/** The handler failed while the circuit is open: not a decision, the event runs again once admitted. */
const HELD: Disposition = Object.freeze({ action: "release" });

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";

function failureKind(error: unknown): FailureKind {
  if (error instanceof HandlerTimeoutError || error instanceof StoreTimeoutError) return "timeout";
  return error instanceof NonRetryableError ? "non-retryable" : "error";
}

export function createPipeline(options: PipelineOptions): DeliveryHandler {
  const pipeline = new ConsumerPipeline(options);
  return (delivery) => pipeline.deliver(delivery);
}

/** The pipeline of one consumer: its settings, timers and metric labels, and the steps of a delivery. */
class ConsumerPipeline {
  private readonly service: ServiceDef;
  private readonly consumer: ConsumerDef;
  private readonly handlers: ConsumerHandlers;
  private readonly idempotency: IdempotencyStore | undefined;
  private readonly circuit: CircuitBreaker | undefined;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly matchesFilter: ReturnType<typeof compileFilter>;
  /** Handler timeouts, on one timer (none when the consumer has no timeout). */
  private readonly deadlines: Deadlines | undefined;
  private readonly storeTimeoutMs: number;
  private readonly storeDeadlines: Deadlines | undefined;
  /** The `ctx.skip` reasons that became metric labels. */
  private readonly skipLabels = new Set<string>();

  constructor(private readonly options: PipelineOptions) {
    const { consumer, handlers, idempotency } = options;
    const missing = consumer.on.filter((type) => typeof handlers[type] !== "function");
    if (missing.length > 0) {
      throw new Error(`consumer ${consumer.name} has no handler for ${missing.join(", ")}`);
    }
    this.service = options.service;
    this.consumer = consumer;
    this.handlers = handlers;
    this.idempotency = idempotency;
    this.circuit = options.circuit;
    this.log = options.log;
    this.metrics = options.metrics;
    this.matchesFilter = compileFilter(consumer.filter);
    this.deadlines = consumer.timeoutMs > 0 ? new Deadlines(consumer.timeoutMs) : undefined;
    this.storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
    this.storeDeadlines = idempotency ? new Deadlines(this.storeTimeoutMs) : undefined;
  }

  /** One delivery, from arrival to its decision. A bug in the pipeline still decides, as a failed attempt. */
  deliver(delivery: Delivery): Disposition | Promise<Disposition> {
    try {
      const decision = this.decide(delivery);
      return decision instanceof Promise
        ? decision.catch((error: unknown) => this.pipelineFailed(delivery, error))
        : decision;
    } catch (error) {
      return this.pipelineFailed(delivery, error);
    }
  }

  /** The steps, in order (the file's opening comment). */
  private decide(received: Delivery): Disposition | Promise<Disposition> {
    // Structured mode: the attributes, the type among them, are in the body.
    const structured = isStructuredMode(received.attributes.datacontenttype)
      ? readStructured(received.body)
      : undefined;
    const delivery = structured?.ok
      ? { ...received, attributes: structured.event.attributes as Record<string, string> }
      : received;
    const type = delivery.attributes.type;
    // A shared Kafka topic carries other consumers' events: not ours to judge. Where only this
    // consumer's events arrive, decode() finds such a type invalid.
    if (type && !delivery.dedicated && !this.consumer.on.includes(type)) {
      return this.skipped(this.typeLabel(type), "unhandled-type");
    }
    const decoded = this.decode(delivery, structured);
    if (!decoded.ok) {
      const eventLog = new DeliveryLogger(this.log, this.consumer.name, delivery);
      return this.failure(this.typeLabel(type), "invalid", decoded.problem, delivery, eventLog);
    }
    const event = decoded.event;
    if (this.matchesFilter && !this.matchesFilter(event)) return this.skipped(event.type, "filter");
    if (this.circuit) return this.whenAdmitted(event, delivery, this.circuit);
    return this.runOnce(event, delivery);
  }

  /**
   * Step 1: the event a handler receives, or why there is none: from the delivery's attributes and
   * body in binary mode, from what `readStructured` found in its body in structured mode (cloudevents.ts).
   */
  private decode(delivery: Delivery, structured: WireRead | undefined): Decoded {
    if (delivery.invalid !== undefined) return { ok: false, problem: delivery.invalid };
    if (structured && !structured.ok) return structured;
    const attrs = delivery.attributes;
    const problem = contextProblem(attrs);
    if (problem !== undefined) return { ok: false, problem };
    const type = attrs.type!;
    const { service, consumer } = this;
    const def = Object.hasOwn(service.events, type) ? service.events[type] : undefined;
    if (!def) return { ok: false, problem: `unknown event type "${type}"` };
    if (!consumer.on.includes(type)) {
      return {
        ok: false,
        problem: `event type "${type}" is not one ${consumer.name} handles (${consumer.on.join(", ")})`,
      };
    }
    const decoded = decodeData(def, attrs, structured ? structured.event.data : delivery.body);
    if (decoded.ok && delivery.key !== undefined) decoded.event.key = delivery.key;
    return decoded;
  }

  /** Steps 1 and 2 skip without running the handler. */
  private skipped(type: string, reason: "unhandled-type" | "filter"): Disposition {
    this.metrics?.skipped(type, this.consumer.name, reason);
    return SKIPPED;
  }

  /**
   * Step 3: runs the handler once the circuit admits it, again (same attempt) while it fails with
   * the circuit open. Each wait ends within the circuit's openFor or its probe's timeout; the loop
   * ends when the dependency is back (the circuit closes) or the consumer stops (the event is released).
   */
  private async whenAdmitted(event: EvgenEvent, delivery: Delivery, breaker: CircuitBreaker): Promise<Disposition> {
    for (;;) {
      const admission = await breaker.admit();
      if (admission === "stopped") {
        new DeliveryLogger(this.log, this.consumer.name, delivery).info(
          {},
          "consumer stopping: event left for redelivery",
        );
        return RELEASE;
      }
      let disposition: Disposition;
      try {
        disposition = await this.runOnce(event, delivery, admission);
      } finally {
        if (admission === "probe") breaker.probeUnused();
      }
      if (disposition !== HELD) return disposition;
    }
  }

  /** Step 4: the handler's run, through the idempotency store when the consumer has one. */
  private runOnce(event: EvgenEvent, delivery: Delivery, admission?: Admission): Disposition | Promise<Disposition> {
    return this.idempotency
      ? this.runRemembered(event, delivery, this.idempotency, admission)
      : this.run(event, delivery, admission);
  }

  /** Skips what the store saw handled before; records what is handled now. */
  private async runRemembered(
    event: EvgenEvent,
    delivery: Delivery,
    store: IdempotencyStore,
    admission?: Admission,
  ): Promise<Disposition> {
    const { consumer, metrics } = this;
    const ref = { consumer: consumer.group, source: event.source, id: event.id, ttlMs: consumer.idempotencyTtlMs };
    const eventLog = new DeliveryLogger(this.log, consumer.name, delivery);
    const bounded = <T>(work: Promise<T>) =>
      withinDeadline(work, this.storeDeadlines!, "idempotency store", this.storeTimeoutMs);
    try {
      if (await bounded(store.seen(ref))) {
        metrics?.skipped(event.type, consumer.name, "duplicate");
        eventLog.info({}, "duplicate event skipped");
        return DUPLICATE;
      }
    } catch (error) {
      const message = error instanceof StoreTimeoutError ? error.message : `idempotency store: ${errorMessage(error)}`;
      return this.failure(event.type, failureKind(error), message, delivery, eventLog);
    }
    const disposition = await this.run(event, delivery, admission);
    if (disposition === HANDLED || disposition === SKIPPED_BY_HANDLER) {
      // The handler's work is done: a failed mark must not undo it by retrying.
      await bounded(store.mark(ref)).catch((error: unknown) => {
        eventLog.warn({ err: errorMessage(error) }, "could not record the event as processed");
      });
    }
    return disposition;
  }

  /**
   * Step 5: runs the handler and decides. A handler that returns without a promise is decided at
   * once; one that returns a promise, when it settles or its deadline passes (whichever is first).
   */
  private run(event: EvgenEvent, delivery: Delivery, admission?: Admission): Disposition | Promise<Disposition> {
    const ctx = new EventContext(this.consumer, this.options.publisher, event, delivery, this.log);
    if (admission) ctx.admission = admission;
    const started = performance.now();
    let result: unknown;
    try {
      result = this.handlers[event.type]!(event, ctx);
    } catch (error) {
      return this.failed(event, delivery, ctx, started, error);
    }
    if (!isThenable(result)) return this.succeeded(event, delivery, ctx, started);
    return this.settled(result, event, delivery, ctx, started);
  }

  /** The decision on a handler that returned a promise: its outcome, or its timeout. */
  private settled(
    result: PromiseLike<unknown>,
    event: EvgenEvent,
    delivery: Delivery,
    ctx: EventContext,
    started: number,
  ): Promise<Disposition> {
    const { deadlines } = this;
    return new Promise<Disposition>((resolve) => {
      const decide = (decision: () => Disposition) => {
        try {
          resolve(decision());
        } catch (error) {
          resolve(this.pipelineFailed(delivery, error));
        }
      };
      const deadline = deadlines?.start(() => {
        const error = new HandlerTimeoutError(`handler did not finish within ${this.consumer.timeoutMs} ms`);
        ctx.abort(error);
        decide(() => this.failed(event, delivery, ctx, started, error));
      });
      // A handler settling after its deadline changes nothing: the timeout was decided.
      const inTime = () => {
        if (!deadline) return true;
        if (deadline.done) return false;
        deadlines!.finish(deadline);
        return true;
      };
      result.then(
        () => inTime() && decide(() => this.succeeded(event, delivery, ctx, started)),
        (error: unknown) => inTime() && decide(() => this.failed(event, delivery, ctx, started, error)),
      );
    });
  }

  /** Step 6, the handler returned: handled, or skipped by its `ctx.skip`. */
  private succeeded(event: EvgenEvent, delivery: Delivery, ctx: EventContext, started: number): Disposition {
    const { consumer, metrics } = this;
    metrics?.handlerDuration(event.type, consumer.name, (performance.now() - started) / 1000);
    if (ctx.admission) this.circuit!.record(ctx.admission, false);
    if (ctx.skipReason !== undefined) {
      metrics?.skipped(event.type, consumer.name, this.skipLabel(ctx.skipReason));
      ctx.log.info({ reason: ctx.skipReason }, "event skipped by its handler");
      this.options.onSkipped?.(event, delivery.attempt, ctx.skipReason);
      return SKIPPED_BY_HANDLER;
    }
    metrics?.handled(event.type, consumer.name);
    this.options.onHandled?.(event, delivery.attempt);
    if (isLevelEnabled(this.log, "debug")) ctx.log.debug({}, "event handled");
    return HANDLED;
  }

  /** Step 6, the handler threw or timed out: held while the circuit is open, else a failed attempt. */
  private failed(
    event: EvgenEvent,
    delivery: Delivery,
    ctx: EventContext,
    started: number,
    error: unknown,
  ): Disposition {
    const { consumer, metrics, circuit } = this;
    metrics?.handlerDuration(event.type, consumer.name, (performance.now() - started) / 1000);
    const kind = failureKind(error);
    if (ctx.admission) {
      // Errors and timeouts say the dependency may be down; a non-retryable error is the event's.
      const counts = kind === "error" || kind === "timeout";
      circuit!.record(ctx.admission, counts);
      if (counts && circuit!.state !== "closed") {
        metrics?.failed(event.type, consumer.name, kind);
        ctx.log.warn(
          { err: truncateUtf8(errorMessage(error)), circuit: circuit!.state },
          "handler failed with the circuit open: the event waits, its attempt not counted",
        );
        return HELD;
      }
    }
    return this.failure(event.type, kind, errorMessage(error), delivery, ctx.log);
  }

  /** A failed attempt (invalid event, store, handler): retry, dead letter or drop, counted and logged. */
  private failure(type: string, kind: FailureKind, message: string, delivery: Delivery, eventLog: Logger): Disposition {
    const { consumer, metrics } = this;
    const failure = {
      kind,
      message: truncateUtf8(message),
      attempt: delivery.attempt,
      consumer: consumer.name,
      failedAt: new Date().toISOString(),
    };
    metrics?.failed(type, consumer.name, kind);
    const disposition = failureDisposition(consumer, failure);
    if (disposition.action === "retry") {
      metrics?.retried(type, consumer.name);
      eventLog.warn({ failure, delayMs: disposition.delayMs }, "handler failed, retrying");
    } else if (disposition.action === "dead-letter") {
      // Counted once the broker has the copy: a dead letter that could not be written is not one.
      if (metrics) disposition.confirmed = () => metrics.deadLettered(type, consumer.name, kind);
      eventLog.error({ failure, origin: delivery.origin }, "event sent to the dead letter");
    } else {
      metrics?.dropped(type, consumer.name, kind);
      eventLog.error({ failure, origin: delivery.origin }, "event dropped: the consumer has no dead letter");
    }
    return disposition;
  }

  /** The pipeline itself failed (a bug): the delivery still gets a decision instead of stalling the consumer. */
  private pipelineFailed(delivery: Delivery, error: unknown): Disposition {
    this.log.error({ err: errorMessage(error), origin: delivery.origin }, "pipeline failed");
    return this.failure(this.typeLabel(delivery.attributes.type), "error", errorMessage(error), delivery, this.log);
  }

  /** A type as a metric label: the spec's types, or one label for every other. */
  private typeLabel(type: string | undefined): string {
    return type !== undefined && Object.hasOwn(this.service.events, type) ? type : UNKNOWN_TYPE_LABEL;
  }

  /** A handler's skip reason as a metric label: bounded, so a reason built from data cannot add series without end. */
  private skipLabel(reason: string): string {
    const labels = this.skipLabels;
    if (labels.has(reason)) return reason;
    if (!SKIP_REASON.test(reason) || BUILT_IN_SKIP_REASONS.has(reason) || labels.size >= MAX_SKIP_REASONS)
      return "other";
    labels.add(reason);
    return reason;
  }
}
