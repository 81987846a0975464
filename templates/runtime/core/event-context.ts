// What a handler sees of one run (`ctx`) and the log of one delivery, both made per event as
// cheaply as the pipeline's per-event path needs (docs/architecture.md, the runtime).
import type { Admission } from "./circuit.js";
import { emittedEventId } from "./event-ids.js";
import { NonRetryableError, truncateUtf8 } from "./errors.js";
import type { EvgenEvent, PublishOptions, RuntimeContext } from "./handlers.js";
import { childLogger, isLevelEnabled } from "./logger.js";
import type { Publisher } from "./publisher.js";
import type { ConsumerDef, Delivery, Logger } from "./types.js";

/**
 * `ctx` of one handler run. A class, so that the one object made per event is all there is: the
 * AbortController behind `signal` and the delivery's logger are made only if something asks.
 */
export class EventContext implements RuntimeContext {
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
export class DeliveryLogger implements Logger {
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
