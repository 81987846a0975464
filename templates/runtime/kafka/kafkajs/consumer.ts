// One consumer-group member per consumer. Each record goes through the DeliveryHandler, whose
// disposition is carried out (retry copy, dead-letter copy, or nothing) before its offset is
// committed, so a crash at any point redelivers instead of losing. Partitions are processed in
// order, `concurrency` of them at once; retry topics are paused until their next record is due.
import { setTimeout as sleep } from "node:timers/promises";
import type { EachBatchPayload, Kafka, KafkaMessage, Message } from "kafkajs";
import type { CircuitBreaker } from "../../core/circuit.js";
import { errorMessage } from "../../core/errors.js";
import { failureHeaders, headerAttributes } from "../headers.js";
import type { RecordSender } from "./producer.js";
import { readRetryCopy, type RetryCopy } from "../retry-copies.js";
import { childLogger } from "../../core/logger.js";
import type { LagMetrics } from "../../core/metrics.js";
import { failureDisposition } from "../../core/pipeline.js";
import {
  deadLetterQueueOf,
  type ConsumerDef,
  type Delivery,
  type DeliveryHandler,
  type Disposition,
  type Failure,
  type Logger,
  type Subscription,
} from "../../core/types.js";

export interface ConsumerOptions {
  kafka: Kafka;
  send: RecordSender["send"];
  log: Logger;
  /** How long the group waits for a silent member before handing its partitions to others. */
  sessionTimeoutMs: number;
  metrics?: LagMetrics;
}

/**
 * Where a consumer stands in its group: `joining` until its first join completes (it runs in the
 * background: the service serves HTTP meanwhile), `rebalancing` while the group reassigns
 * partitions, `stopped` once it crashed on an error kafkajs does not restart from, or was stopped.
 */
export type ConsumerState = "joining" | "joined" | "rebalancing" | "stopped";

export interface KafkaSubscription extends Subscription {
  /** False once the consumer crashed on an error kafkajs does not restart from. */
  isAlive(): boolean;
  state(): ConsumerState;
}

// How long stop() waits for a pending group join, so that the member can leave the group.
const JOIN_WAIT_ON_STOP_MS = 5000;
// A fetch returns early when records arrive; this bounds how late a resumed retry topic is read.
const FETCH_WAIT_MS = 1000;
// Within a long batch, progress is committed at least this often: less to redo after a crash.
const COMMIT_INTERVAL_MS = 1000;
// The longest timer Node.js keeps (2^31-1 ms); a longer wait is taken in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

type BatchControl = Pick<EachBatchPayload, "heartbeat" | "isRunning">;

const EMPTY = Buffer.alloc(0);

/** A record as the pipeline sees it; its origin is spelled out only when a log line needs it. */
class RecordDelivery implements Delivery {
  readonly attributes: Record<string, string>;
  readonly body: Buffer;
  readonly key?: string;
  invalid?: string;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly message: KafkaMessage,
    readonly attempt: number,
    /** Read from the consumer's own retry or replay topic rather than a shared event topic. */
    readonly dedicated: boolean,
  ) {
    this.attributes = headerAttributes(message.headers);
    this.body = message.value ?? EMPTY;
    if (message.key !== null) this.key = message.key.toString();
  }

  get origin(): string {
    return `${this.topic}[${this.partition}]@${this.message.offset}`;
  }
}

/** The decision for a handler that threw, which the pipeline never does: a failed attempt like any other. */
function unexpectedFailure(consumer: ConsumerDef, attempt: number, error: unknown): Disposition {
  const failedAt = new Date().toISOString();
  return failureDisposition(consumer, {
    kind: "error",
    message: errorMessage(error),
    attempt,
    consumer: consumer.name,
    failedAt,
  });
}

/** Sleeps in heartbeat-sized slices; false when the consumer stopped meanwhile. */
async function waitInPlace(ms: number, control: BatchControl, sliceMs: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    if (!control.isRunning()) return false;
    await sleep(Math.min(left, sliceMs));
    await control.heartbeat();
  }
  return control.isRunning();
}

export async function subscribeConsumer(
  options: ConsumerOptions,
  consumer: ConsumerDef,
  handle: DeliveryHandler,
  circuit?: CircuitBreaker,
): Promise<KafkaSubscription> {
  const log = childLogger(options.log, { consumer: consumer.name });
  const blocking = consumer.retry.mode === "blocking";
  const retryTopics = new Set(blocking ? [] : consumer.retryQueues);
  // Topics only this consumer's events reach.
  const ownTopics = new Set([...retryTopics, ...(consumer.replayTopic ? [consumer.replayTopic] : [])]);
  const heartbeatMs = Math.max(500, Math.floor(options.sessionTimeoutMs / 10));
  const resumeTimers = new Set<NodeJS.Timeout>();
  let alive = true;
  let state: ConsumerState = "joining";
  let stopping: Promise<void> | undefined;
  const joinWaiters = new Set<() => void>();

  const kc = options.kafka.consumer({
    groupId: consumer.group,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: heartbeatMs,
    maxWaitTimeInMs: FETCH_WAIT_MS,
    allowAutoTopicCreation: false,
    retry: {
      // Broker outages end in a crash after the fetch retries; always come back, unless stopping
      // (a join cut short by stop() fails too, and must not start the consumer again).
      restartOnFailure: async (error) => {
        if (stopping) return false;
        log.warn({ err: errorMessage(error) }, "Kafka consumer failed, restarting");
        state = "joining";
        return true;
      },
    },
  });
  kc.on(kc.events.CRASH, ({ payload }) => {
    if (payload.restart || stopping) return;
    alive = false;
    state = "stopped";
    log.error({ err: errorMessage(payload.error) }, "Kafka consumer crashed and cannot restart");
  });
  kc.on(kc.events.REBALANCING, () => {
    if (state === "joined") state = "rebalancing";
  });
  kc.on(kc.events.GROUP_JOIN, ({ payload }) => {
    log.info(
      { group: payload.groupId, assignment: payload.memberAssignment, durationMs: payload.duration },
      "joined the consumer group",
    );
    if (!stopping) state = "joined";
    for (const wake of joinWaiters) wake();
    // Partitions this member no longer has must not keep reporting their last lag.
    options.metrics?.forgetConsumerLag(consumer.name);
  });

  function copy(
    message: KafkaMessage,
    from: { topic: string; partition: number },
    failure: Failure,
    dueAt?: number,
  ): Message {
    return { key: message.key, value: message.value, headers: failureHeaders(message, from, failure, dueAt) };
  }

  async function carryOut(disposition: Disposition, message: KafkaMessage, from: { topic: string; partition: number }) {
    switch (disposition.action) {
      case "ack":
      case "release":
        return;
      case "drop":
        log.warn({ origin: `${from.topic}[${from.partition}]@${message.offset}` }, "dropped event committed");
        return;
      case "dead-letter":
        await options.send([{ topic: deadLetterQueueOf(consumer), message: copy(message, from, disposition.failure) }]);
        disposition.confirmed?.();
        return;
      case "retry": {
        const topic = consumer.retryQueues[disposition.failure.attempt - 1];
        if (!topic)
          throw new Error(`${consumer.name} has no retry topic for attempt ${disposition.failure.attempt + 1}`);
        const dueAt = Date.now() + disposition.delayMs;
        await options.send([{ topic, message: copy(message, from, disposition.failure, dueAt) }]);
      }
    }
  }

  function unexpected(delivery: Delivery, error: unknown): Disposition {
    log.error({ err: errorMessage(error), origin: delivery.origin }, "delivery handler threw");
    return unexpectedFailure(consumer, delivery.attempt, error);
  }

  /** The handler's decision; one that throws (the pipeline never does) failed its attempt like any other. */
  function decide(delivery: Delivery): Disposition | Promise<Disposition> {
    try {
      const decision = handle(delivery);
      return decision instanceof Promise ? decision.catch((error: unknown) => unexpected(delivery, error)) : decision;
    } catch (error) {
      return unexpected(delivery, error);
    }
  }

  /**
   * True once the record's disposition was carried out, false when the consumer stopped first.
   * A record decided at once and acknowledged, as most are, costs no await.
   */
  function processRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
    retryCopy: RetryCopy | undefined,
    control: BatchControl,
  ): boolean | Promise<boolean> {
    const delivery = new RecordDelivery(topic, partition, message, retryCopy?.attempt ?? 1, ownTopics.has(topic));
    if (retryCopy && "problem" in retryCopy) delivery.invalid = retryCopy.problem;
    const decision = decide(delivery);
    if (!(decision instanceof Promise) && decision.action === "ack") return true;
    return settle(delivery, decision, control);
  }

  /** Carries out a decision other than a plain ack: a retry (in place when blocking), a dead letter, a drop. */
  async function settle(
    delivery: RecordDelivery,
    decision: Disposition | Promise<Disposition>,
    control: BatchControl,
  ): Promise<boolean> {
    const { topic, partition, message } = delivery;
    for (let disposition = await decision; ;) {
      if (disposition.action === "retry" && blocking) {
        // In place: later records of this partition (hence of this key) wait behind this one.
        if (!(await waitInPlace(disposition.delayMs, control, heartbeatMs))) return false;
        delivery = new RecordDelivery(topic, partition, message, disposition.failure.attempt + 1, delivery.dedicated);
        disposition = await decide(delivery);
        continue;
      }
      // Released (stopping while the circuit held it): not committed, so it is read again.
      if (disposition.action === "release") return false;
      await carryOut(disposition, message, { topic, partition });
      return true;
    }
  }

  /** Pauses a retry topic partition for `wait` ms, until its first record is due. */
  function holdFor(payload: EachBatchPayload, wait: number): void {
    const { topic, partition } = payload.batch;
    payload.pause();
    const timer = setTimeout(
      () => {
        resumeTimers.delete(timer);
        // An open circuit resumes everything when it half-opens.
        if (!stopping && circuit?.state !== "open") kc.resume([{ topic, partitions: [partition] }]);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    resumeTimers.add(timer);
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    if (stopping) return; // a join that completed after stop(): nothing more is handled
    const { batch } = payload;
    const { topic, partition } = batch;
    // k of retry-<k>, 0 for any other topic.
    const retryK = retryTopics.has(topic) ? consumer.retryQueues.indexOf(topic) + 1 : 0;
    const retryDelayMs = retryK > 0 ? (consumer.retry.delaysMs[retryK - 1] ?? 0) : 0;
    let lastDone: string | undefined;
    let committedAt = Date.now();
    let heartbeatAt = committedAt;
    const highWatermark = BigInt(batch.highWatermark);
    const reportLag = (next: bigint) =>
      options.metrics?.consumerLag(consumer.name, topic, partition, Math.max(0, Number(highWatermark - next)));
    if (batch.messages[0]) reportLag(BigInt(batch.messages[0].offset));
    // Offsets are resolved and committed per stretch of records, not per record: only the last
    // one done counts, and kafkajs parses every offset it is given.
    const commit = async () => {
      if (lastDone === undefined) return;
      payload.resolveOffset(lastDone);
      const next = BigInt(lastDone) + 1n;
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
      });
      reportLag(next);
      lastDone = undefined;
      committedAt = Date.now();
    };
    // Keeps the membership alive while one slow handler runs longer than a heartbeat interval; a
    // failure here means a rebalance, which the next heartbeat between records reports.
    const heartbeats = setInterval(() => payload.heartbeat().catch(() => undefined), heartbeatMs);
    try {
      // Service consumers never seek, so a batch cannot go stale (isStale) while it is processed.
      for (const message of batch.messages) {
        if (!payload.isRunning()) break;
        const retryCopy = retryK > 0 ? readRetryCopy(message.headers, retryK, retryDelayMs, Date.now()) : undefined;
        // Retry copies are in due order, so nothing behind a record that is not due is due either.
        if (retryCopy && "wait" in retryCopy && retryCopy.wait > 0) {
          holdFor(payload, retryCopy.wait);
          break;
        }
        const done = processRecord(topic, partition, message, retryCopy, payload);
        if (done !== true && !(await done)) break;
        lastDone = message.offset;
        const now = Date.now();
        if (now - committedAt >= COMMIT_INTERVAL_MS) await commit();
        if (now - heartbeatAt >= heartbeatMs) {
          heartbeatAt = now;
          await payload.heartbeat();
        }
      }
    } finally {
      clearInterval(heartbeats);
      await commit();
    }
  }

  await kc.connect();
  // A new group starts at the beginning: events published before its first start are not skipped.
  // The replay topic holds replayed dead letters, due at once, for this consumer alone.
  const replay = consumer.replayTopic ? [consumer.replayTopic] : [];
  const topics = [...consumer.topics, ...retryTopics, ...replay];
  await kc.subscribe({ topics, fromBeginning: true });
  // While the circuit is open no partition is fetched; the records already taken wait in the
  // pipeline (heartbeats go on), and half-open lets fetching resume for the probe.
  circuit?.onChange((state) => {
    if (stopping) return;
    if (state === "open") kc.pause(topics.map((topic) => ({ topic })));
    else kc.resume(topics.map((topic) => ({ topic })));
  });
  // The join runs in the background: it waits for every other member of the group to rejoin,
  // which takes as long as the group's slowest member (up to the session timeout of one that died).
  void kc
    .run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, consumer.concurrency),
      eachBatch,
    })
    .catch((error: unknown) => log.error({ err: errorMessage(error) }, "Kafka consumer could not start"));

  return {
    isAlive: () => alive,
    state: () => state,
    stop() {
      stopping ??= (async () => {
        circuit?.stop(); // records waiting for it are released, uncommitted
        for (const timer of resumeTimers) clearTimeout(timer);
        resumeTimers.clear();
        // kafkajs leaves the group only once joined, and its disconnect() waits for a pending join
        // to complete. A join that waits only for live members completes within their heartbeat
        // interval: wait for it, briefly, so that this member leaves the group. A join held up by
        // a member that died waits for that member's session to expire: then go without waiting
        // (the process ends it); the group expires this member after its own session timeout.
        if (state === "joining") {
          const waitMs = Math.min(JOIN_WAIT_ON_STOP_MS, options.sessionTimeoutMs / 3);
          let wake = () => undefined as void;
          await Promise.race([new Promise<void>((resolve) => joinWaiters.add((wake = resolve))), sleep(waitMs)]);
          joinWaiters.delete(wake);
          await new Promise((resolve) => setImmediate(resolve)); // the runner starts right after the join
        }
        // disconnect() stops fetching, waits for the batches in flight (which commit as they end),
        // and leaves the group.
        const disconnecting = kc.disconnect();
        if (state === "joining") {
          disconnecting.catch(() => undefined);
          log.warn(
            { waitedMs: Math.min(JOIN_WAIT_ON_STOP_MS, options.sessionTimeoutMs / 3) },
            "stopped while the group join is still pending: the group drops this member when its session times out",
          );
        } else {
          await disconnecting;
        }
        state = "stopped";
        options.metrics?.forgetConsumerLag(consumer.name);
      })();
      return stopping;
    },
  };
}
