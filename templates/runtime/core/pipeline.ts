// The broker-neutral consumer pipeline: one delivery in, one decision out. It decodes and
// validates the event, applies the filter and idempotency, runs the handler under a timeout and
// decides between ack, retry, dead letter and drop. It never throws and never touches a broker:
// the transport carries the decision out.
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
import { emittedEventId } from "./event-ids.js";
import { compileFilter } from "./filter.js";
import type { ConsumerHandlers, EvgenEvent, PublishOptions, RuntimeContext } from "./handlers.js";
import type { IdempotencyStore } from "./idempotency.js";
import { childLogger, isLevelEnabled } from "./logger.js";
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
  const { service, consumer, handlers, publisher, idempotency, log, metrics, circuit } = options;
  const missing = consumer.on.filter((type) => typeof handlers[type] !== "function");
  if (missing.length > 0) {
    throw new Error(`consumer ${consumer.name} has no handler for ${missing.join(", ")}`);
  }
  const deadlines = consumer.timeoutMs > 0 ? new Deadlines(consumer.timeoutMs) : undefined;
  const storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const storeDeadlines = idempotency ? new Deadlines(storeTimeoutMs) : undefined;
  const matchesFilter = compileFilter(consumer.filter);

  /** A type as a metric label: the spec's types, or one label for every other. */
  const typeLabel = (type: string | undefined) =>
    type !== undefined && Object.hasOwn(service.events, type) ? type : UNKNOWN_TYPE_LABEL;

  /**
   * The event a handler receives, or why there is none: from the delivery's attributes and body in
   * binary mode, from what `readStructured` found in its body in structured mode (cloudevents.ts).
   */
  function decode(delivery: Delivery, structured: WireRead | undefined): Decoded {
    if (delivery.invalid !== undefined) return { ok: false, problem: delivery.invalid };
    if (structured && !structured.ok) return structured;
    const attrs = delivery.attributes;
    const problem = contextProblem(attrs);
    if (problem !== undefined) return { ok: false, problem };
    const type = attrs.type!;
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

  function fail(type: string, kind: FailureKind, message: string, delivery: Delivery, eventLog: Logger): Disposition {
    const attempt = delivery.attempt;
    const failure = {
      kind,
      message: truncateUtf8(message),
      attempt,
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
  function pipelineFailed(delivery: Delivery, error: unknown): Disposition {
    log.error({ err: errorMessage(error), origin: delivery.origin }, "pipeline failed");
    return fail(typeLabel(delivery.attributes.type), "error", errorMessage(error), delivery, log);
  }

  const skipLabels = new Set<string>();
  /** A handler's skip reason as a metric label: bounded, so a reason built from data cannot add series without end. */
  function skipLabel(reason: string): string {
    if (skipLabels.has(reason)) return reason;
    if (!SKIP_REASON.test(reason) || BUILT_IN_SKIP_REASONS.has(reason) || skipLabels.size >= MAX_SKIP_REASONS)
      return "other";
    skipLabels.add(reason);
    return reason;
  }

  function succeeded(event: EvgenEvent, delivery: Delivery, ctx: EventContext, started: number): Disposition {
    metrics?.handlerDuration(event.type, consumer.name, (performance.now() - started) / 1000);
    if (ctx.admission) circuit!.record(ctx.admission, false);
    if (ctx.skipReason !== undefined) {
      metrics?.skipped(event.type, consumer.name, skipLabel(ctx.skipReason));
      ctx.log.info({ reason: ctx.skipReason }, "event skipped by its handler");
      options.onSkipped?.(event, delivery.attempt, ctx.skipReason);
      return SKIPPED_BY_HANDLER;
    }
    metrics?.handled(event.type, consumer.name);
    options.onHandled?.(event, delivery.attempt);
    if (isLevelEnabled(log, "debug")) ctx.log.debug({}, "event handled");
    return HANDLED;
  }

  function failed(
    event: EvgenEvent,
    delivery: Delivery,
    ctx: EventContext,
    started: number,
    error: unknown,
  ): Disposition {
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
    return fail(event.type, kind, errorMessage(error), delivery, ctx.log);
  }

  /**
   * Runs the handler and decides. A handler that returns without a promise is decided at once;
   * one that returns a promise is decided when it settles or its deadline passes, whichever is first.
   */
  function run(event: EvgenEvent, delivery: Delivery, admission?: Admission): Disposition | Promise<Disposition> {
    const ctx = new EventContext(consumer, publisher, event, delivery, log);
    if (admission) ctx.admission = admission;
    const started = performance.now();
    let result: unknown;
    try {
      result = handlers[event.type]!(event, ctx);
    } catch (error) {
      return failed(event, delivery, ctx, started, error);
    }
    if (!isThenable(result)) return succeeded(event, delivery, ctx, started);

    return new Promise<Disposition>((resolve) => {
      const decide = (decision: () => Disposition) => {
        try {
          resolve(decision());
        } catch (error) {
          resolve(pipelineFailed(delivery, error));
        }
      };
      const deadline = deadlines?.start(() => {
        const error = new HandlerTimeoutError(`handler did not finish within ${consumer.timeoutMs} ms`);
        ctx.abort(error);
        decide(() => failed(event, delivery, ctx, started, error));
      });
      // A handler settling after its deadline changes nothing: the timeout was decided.
      const settled = () => {
        if (!deadline) return true;
        if (deadline.done) return false;
        deadlines!.finish(deadline);
        return true;
      };
      result.then(
        () => settled() && decide(() => succeeded(event, delivery, ctx, started)),
        (error: unknown) => settled() && decide(() => failed(event, delivery, ctx, started, error)),
      );
    });
  }

  /** With an idempotency store: skip what was handled before, record what is handled now. */
  async function runOnce(
    event: EvgenEvent,
    delivery: Delivery,
    store: IdempotencyStore,
    admission?: Admission,
  ): Promise<Disposition> {
    const ref = { consumer: consumer.group, source: event.source, id: event.id, ttlMs: consumer.idempotencyTtlMs };
    const eventLog = new DeliveryLogger(log, consumer.name, delivery);
    const bounded = <T>(work: Promise<T>) => withinDeadline(work, storeDeadlines!, "idempotency store", storeTimeoutMs);
    try {
      if (await bounded(store.seen(ref))) {
        metrics?.skipped(event.type, consumer.name, "duplicate");
        eventLog.info({}, "duplicate event skipped");
        return DUPLICATE;
      }
    } catch (error) {
      const message = error instanceof StoreTimeoutError ? error.message : `idempotency store: ${errorMessage(error)}`;
      return fail(event.type, failureKind(error), message, delivery, eventLog);
    }
    const disposition = await run(event, delivery, admission);
    if (disposition === HANDLED || disposition === SKIPPED_BY_HANDLER) {
      // The handler's work is done: a failed mark must not undo it by retrying.
      await bounded(store.mark(ref)).catch((error: unknown) => {
        eventLog.warn({ err: errorMessage(error) }, "could not record the event as processed");
      });
    }
    return disposition;
  }

  function handle(received: Delivery): Disposition | Promise<Disposition> {
    let delivery = received;
    let structured: WireRead | undefined;
    if (isStructuredMode(received.attributes.datacontenttype)) {
      // Structured mode: the attributes, the type among them, are in the body.
      structured = readStructured(received.body);
      if (structured.ok) delivery = { ...received, attributes: structured.event.attributes as Record<string, string> };
    }
    const type = delivery.attributes.type;
    // A shared Kafka topic carries other consumers' events: not ours to judge. Where only this
    // consumer's events arrive, decode() finds such a type invalid.
    if (type && !delivery.dedicated && !consumer.on.includes(type)) {
      metrics?.skipped(typeLabel(type), consumer.name, "unhandled-type");
      return SKIPPED;
    }
    const decoded = decode(delivery, structured);
    if (!decoded.ok) {
      const eventLog = new DeliveryLogger(log, consumer.name, delivery);
      return fail(typeLabel(type), "invalid", decoded.problem, delivery, eventLog);
    }
    const event = decoded.event;
    if (matchesFilter && !matchesFilter(event)) {
      metrics?.skipped(event.type, consumer.name, "filter");
      return SKIPPED;
    }
    if (circuit) return guarded(event, delivery, circuit);
    return idempotency ? runOnce(event, delivery, idempotency) : run(event, delivery);
  }

  /**
   * Runs the handler once the circuit admits it, again (same attempt) while it fails with the
   * circuit open. Each wait ends within the circuit's openFor or its probe's timeout; the loop ends
   * when the dependency is back (the circuit closes) or the consumer stops (the event is released).
   */
  async function guarded(event: EvgenEvent, delivery: Delivery, breaker: CircuitBreaker): Promise<Disposition> {
    for (;;) {
      const admission = await breaker.admit();
      if (admission === "stopped") {
        new DeliveryLogger(log, consumer.name, delivery).info({}, "consumer stopping: event left for redelivery");
        return RELEASE;
      }
      let disposition: Disposition;
      try {
        disposition = await (idempotency
          ? runOnce(event, delivery, idempotency, admission)
          : run(event, delivery, admission));
      } finally {
        if (admission === "probe") breaker.probeUnused();
      }
      if (disposition !== HELD) return disposition;
    }
  }

  return (delivery) => {
    try {
      const decision = handle(delivery);
      return decision instanceof Promise
        ? decision.catch((error: unknown) => pipelineFailed(delivery, error))
        : decision;
    } catch (error) {
      return pipelineFailed(delivery, error);
    }
  };
}

/**
 * `ctx` of one handler run. A class, so that the one object made per event is all there is: the
 * AbortController behind `signal` and the delivery's logger are made only if something asks.
 */
class EventContext implements RuntimeContext {
  private controller?: AbortController;
  private abortedWith?: Error;
  /** Set by `skip`: the run ends as skipped, not handled. */
  skipReason?: string;
  /** How the circuit breaker let this run through, when the consumer has one. */
  admission?: Admission;
  private deliveryLog?: Logger;
  /** Events published so far in this run, by type: the ordinal in each derived id. */
  private emitted?: Map<string, number>;

  constructor(
    private readonly consumerDef: ConsumerDef,
    private readonly publisher: Publisher<Record<string, unknown>>,
    private readonly event: EvgenEvent,
    private readonly delivery: Delivery,
    private readonly parentLog: Logger,
  ) {}

  get attempt(): number {
    return this.delivery.attempt;
  }

  get log(): Logger {
    return (this.deliveryLog ??= new DeliveryLogger(this.parentLog, this.consumerDef.name, this.delivery));
  }

  get consumer(): string {
    return this.consumerDef.name;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.abortedWith && !this.controller.signal.aborted) this.controller.abort(this.abortedWith);
    return this.controller.signal;
  }

  skip(reason: string): void {
    const text = String(reason);
    this.skipReason = text.length <= 100 ? text : truncateUtf8(text, 200);
  }

  abort(reason: Error): void {
    this.abortedWith = reason;
    this.controller?.abort(reason);
  }

  async publish(type: string, data: unknown, opts?: PublishOptions): Promise<string> {
    if (!this.consumerDef.emits.includes(type)) {
      throw new NonRetryableError(`consumer ${this.consumerDef.name} does not emit ${type} (add it to its emits)`);
    }
    const ordinal = (this.emitted ??= new Map()).get(type) ?? 0;
    this.emitted.set(type, ordinal + 1);
    const { source, id } = this.event;
    return this.publisher.publish(type, data, {
      ...opts,
      id: opts?.id ?? emittedEventId({ source, id, consumer: this.consumerDef.group, type, ordinal }),
      traceparent: opts?.traceparent ?? this.event.traceparent,
    });
  }
}

/**
 * The log of one delivery: lines carry consumer, event id, type and attempt. The pino child that
 * adds them is made only when a line is written — most events are handled without one.
 */
class DeliveryLogger implements Logger {
  private bound?: Logger;

  constructor(
    private readonly parent: Logger,
    private readonly consumer: string,
    private readonly delivery: Delivery,
  ) {}

  private get log(): Logger {
    return (this.bound ??= childLogger(this.parent, {
      consumer: this.consumer,
      eventId: this.delivery.attributes.id,
      eventType: this.delivery.attributes.type,
      attempt: this.delivery.attempt,
    }));
  }

  debug(obj: object, msg?: string): void {
    if (isLevelEnabled(this.parent, "debug")) this.log.debug(obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.log.info(obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.log.warn(obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.log.error(obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return childLogger(this.log, bindings);
  }
}
