// One Kafka record's way through a consumer, whichever the client: the DeliveryHandler decides,
// and the decision is carried out (nothing for an ack, a copy on the consumer's next retry topic
// or on its dead-letter topic, a log line for a drop, the record again after its delay when
// retries block in place) before the client's consumer.ts may commit the record's offset.
import { errorMessage } from "../core/errors.js";
import { failureDisposition } from "../core/pipeline.js";
import {
  deadLetterQueueOf,
  type ConsumerDef,
  type Delivery,
  type DeliveryHandler,
  type Disposition,
  type Failure,
  type Logger,
} from "../core/types.js";

// Within a long run of records, progress is committed at least this often: less to redo after a crash.
export const COMMIT_INTERVAL_MS = 1000;
// The longest timer Node.js keeps (2^31-1 ms); a longer wait is taken in steps.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A member heartbeats ten times per session timeout, at most every half second. */
export const heartbeatIntervalMs = (sessionTimeoutMs: number) => Math.max(500, Math.floor(sessionTimeoutMs / 10));

/** The topics a consumer reads, and what each is to it. */
export class ConsumerTopics {
  readonly blocking: boolean;
  /** Its retry topics, read unless retries block in place. */
  readonly retry: ReadonlySet<string>;
  /** Replayed dead letters, due at once, for this consumer alone. */
  readonly replay: readonly string[];
  /** Topics only this consumer's events reach. */
  readonly own: ReadonlySet<string>;

  constructor(private readonly consumer: ConsumerDef) {
    this.blocking = consumer.retry.mode === "blocking";
    this.retry = new Set(this.blocking ? [] : consumer.retryQueues);
    this.replay = consumer.replayTopic ? [consumer.replayTopic] : [];
    this.own = new Set([...this.retry, ...this.replay]);
  }

  /** k of retry-<k>, 0 for any other topic. */
  retryK(topic: string): number {
    return this.retry.has(topic) ? this.consumer.retryQueues.indexOf(topic) + 1 : 0;
  }

  /** The delay of the retry topic retry-<k>. */
  retryDelayMs(k: number): number {
    return this.consumer.retry.delaysMs[k - 1] ?? 0;
  }
}

/** What the client does for a record's decision. */
export interface RecordCopies<D extends Delivery> {
  /** Writes a copy of the delivery's record to `topic` with the failure headers; resolves once confirmed. */
  send(topic: string, delivery: D, failure: Failure, dueAt?: number): Promise<void>;
  /** The delivery of the same record as attempt `attempt` (a blocking retry, in place). */
  again(delivery: D, attempt: number): D;
}

/** The decisions on one consumer's records, and carrying them out. */
export class RecordDecisions<D extends Delivery> {
  private readonly blocking: boolean;

  constructor(
    private readonly consumer: ConsumerDef,
    private readonly handle: DeliveryHandler,
    private readonly log: Logger,
    private readonly copies: RecordCopies<D>,
  ) {
    this.blocking = consumer.retry.mode === "blocking";
  }

  /**
   * True once the record's disposition was carried out, false when the consumer stopped first or
   * the record was released (not committed, so it is read again). A record decided at once and
   * acknowledged, as most are, costs no await. `wait` waits before a blocking retry (false: stopped).
   */
  process(delivery: D, wait: (ms: number) => Promise<boolean>): boolean | Promise<boolean> {
    const decision = this.decide(delivery);
    if (!(decision instanceof Promise) && decision.action === "ack") return true;
    return this.settle(delivery, decision, wait);
  }

  /** The handler's decision; one that throws (the pipeline never does) failed its attempt like any other. */
  private decide(delivery: D): Disposition | Promise<Disposition> {
    try {
      const decision = this.handle(delivery);
      return decision instanceof Promise
        ? decision.catch((error: unknown) => this.unexpected(delivery, error))
        : decision;
    } catch (error) {
      return this.unexpected(delivery, error);
    }
  }

  private unexpected(delivery: D, error: unknown): Disposition {
    this.log.error({ err: errorMessage(error), origin: delivery.origin }, "delivery handler threw");
    const { consumer } = this;
    return failureDisposition(consumer, {
      kind: "error",
      message: errorMessage(error),
      attempt: delivery.attempt,
      consumer: consumer.name,
      failedAt: new Date().toISOString(),
    });
  }

  /** Carries out a decision other than a plain ack: a retry (in place when blocking), a dead letter, a drop. */
  private async settle(
    delivery: D,
    decision: Disposition | Promise<Disposition>,
    wait: (ms: number) => Promise<boolean>,
  ): Promise<boolean> {
    for (let disposition = await decision; ;) {
      if (disposition.action === "retry" && this.blocking) {
        // In place: later records of this partition (hence of this key) wait behind this one.
        if (!(await wait(disposition.delayMs))) return false;
        delivery = this.copies.again(delivery, disposition.failure.attempt + 1);
        disposition = await this.decide(delivery);
        continue;
      }
      // Released (stopping while the circuit held it): not committed, so it is read again.
      if (disposition.action === "release") return false;
      await this.carryOut(disposition, delivery);
      return true;
    }
  }

  private async carryOut(disposition: Disposition, delivery: D): Promise<void> {
    switch (disposition.action) {
      case "ack":
      case "release":
        return;
      case "drop":
        this.log.warn({ origin: delivery.origin }, "dropped event committed");
        return;
      case "dead-letter":
        await this.copies.send(deadLetterQueueOf(this.consumer), delivery, disposition.failure);
        disposition.confirmed?.();
        return;
      case "retry": {
        const { consumer } = this;
        const topic = consumer.retryQueues[disposition.failure.attempt - 1];
        if (!topic)
          throw new Error(`${consumer.name} has no retry topic for attempt ${disposition.failure.attempt + 1}`);
        await this.copies.send(topic, delivery, disposition.failure, Date.now() + disposition.delayMs);
      }
    }
  }
}
