// One consumer-group member per consumer, on kafkajs. Each record goes through the
// DeliveryHandler, whose disposition is carried out (../records.ts: retry copy, dead-letter copy,
// or nothing) before its offset is committed, so a crash at any point redelivers instead of
// losing. Partitions are processed in order, `concurrency` of them at once; retry topics are
// paused until their next record is due.
import { setTimeout as sleep } from "node:timers/promises";
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { CircuitBreaker } from "../../core/circuit.js";
import { errorMessage } from "../../core/errors.js";
import { failureHeaders, headerAttributes } from "../headers.js";
import type { RecordSender } from "./producer.js";
import {
  COMMIT_INTERVAL_MS,
  ConsumerTopics,
  MAX_TIMER_MS,
  RecordDecisions,
  heartbeatIntervalMs,
  type RecordCopies,
} from "../records.js";
import { readRetryCopy } from "../retry-copies.js";
import { childLogger } from "../../core/logger.js";
import type { LagMetrics } from "../../core/metrics.js";
import type { ConsumerDef, Delivery, DeliveryHandler, Logger, Subscription } from "../../core/types.js";

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

/** Copies of a kafkajs record, with the failure headers, through the service's producer. */
function recordCopies(send: RecordSender["send"]): RecordCopies<RecordDelivery> {
  return {
    async send(topic, { topic: from, partition, message }, failure, dueAt) {
      const headers = failureHeaders(message, { topic: from, partition }, failure, dueAt);
      await send([{ topic, message: { key: message.key, value: message.value, headers } }]);
    },
    again: (delivery, attempt) =>
      new RecordDelivery(delivery.topic, delivery.partition, delivery.message, attempt, delivery.dedicated),
  };
}

export async function subscribeConsumer(
  options: ConsumerOptions,
  consumer: ConsumerDef,
  handle: DeliveryHandler,
  circuit?: CircuitBreaker,
): Promise<KafkaSubscription> {
  const member = new GroupMember(options, consumer, handle, circuit);
  await member.start();
  return { isAlive: () => member.alive, state: () => member.state, stop: () => member.stop() };
}

/** One consumer's member of its group: joins in the background, handles each fetched batch, leaves on stop. */
class GroupMember {
  alive = true;
  state: ConsumerState = "joining";
  private stopping: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly topics: ConsumerTopics;
  private readonly decisions: RecordDecisions<RecordDelivery>;
  private readonly heartbeatMs: number;
  private readonly kc: Consumer;
  /** Timers that resume a paused retry topic partition once its next record is due. */
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly joinWaiters = new Set<() => void>();

  constructor(
    private readonly options: ConsumerOptions,
    private readonly consumer: ConsumerDef,
    handle: DeliveryHandler,
    private readonly circuit: CircuitBreaker | undefined,
  ) {
    this.log = childLogger(options.log, { consumer: consumer.name });
    this.topics = new ConsumerTopics(consumer);
    this.decisions = new RecordDecisions(consumer, handle, this.log, recordCopies(options.send));
    this.heartbeatMs = heartbeatIntervalMs(options.sessionTimeoutMs);
    this.kc = this.createConsumer();
  }

  /** The kafkajs consumer: restarted after broker outages, its place in the group followed. */
  private createConsumer(): Consumer {
    const { options, consumer, log } = this;
    const kc = options.kafka.consumer({
      groupId: consumer.group,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatMs,
      maxWaitTimeInMs: FETCH_WAIT_MS,
      allowAutoTopicCreation: false,
      retry: {
        // Broker outages end in a crash after the fetch retries; always come back, unless stopping
        // (a join cut short by stop() fails too, and must not start the consumer again).
        restartOnFailure: async (error) => {
          if (this.stopping) return false;
          log.warn({ err: errorMessage(error) }, "Kafka consumer failed, restarting");
          this.state = "joining";
          return true;
        },
      },
    });
    kc.on(kc.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      this.alive = false;
      this.state = "stopped";
      log.error({ err: errorMessage(payload.error) }, "Kafka consumer crashed and cannot restart");
    });
    kc.on(kc.events.REBALANCING, () => {
      if (this.state === "joined") this.state = "rebalancing";
    });
    kc.on(kc.events.GROUP_JOIN, ({ payload }) => {
      log.info(
        { group: payload.groupId, assignment: payload.memberAssignment, durationMs: payload.duration },
        "joined the consumer group",
      );
      if (!this.stopping) this.state = "joined";
      for (const wake of this.joinWaiters) wake();
      // Partitions this member no longer has must not keep reporting their last lag.
      options.metrics?.forgetConsumerLag(consumer.name);
    });
    return kc;
  }

  /** Subscribes to the consumer's topics, follows its circuit, and joins the group in the background. */
  async start(): Promise<void> {
    const { kc, consumer, circuit } = this;
    await kc.connect();
    // A new group starts at the beginning: events published before its first start are not skipped.
    const topics = [...consumer.topics, ...this.topics.retry, ...this.topics.replay];
    await kc.subscribe({ topics, fromBeginning: true });
    // While the circuit is open no partition is fetched; the records already taken wait in the
    // pipeline (heartbeats go on), and half-open lets fetching resume for the probe.
    circuit?.onChange((state) => {
      if (this.stopping) return;
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
        eachBatch: (payload) => this.eachBatch(payload),
      })
      .catch((error: unknown) => this.log.error({ err: errorMessage(error) }, "Kafka consumer could not start"));
  }

  /** A fetched batch of one partition: its records, then the offset past the last one done committed. */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopping) return; // a join that completed after stop(): nothing more is handled
    const progress = new BatchProgress(payload, this.consumer.name, this.options.metrics);
    // Keeps the membership alive while one slow handler runs longer than a heartbeat interval; a
    // failure here means a rebalance, which the next heartbeat between records reports.
    const heartbeats = setInterval(() => payload.heartbeat().catch(() => undefined), this.heartbeatMs);
    try {
      await this.handleRecords(payload, progress);
    } finally {
      clearInterval(heartbeats);
      await progress.commit();
    }
  }

  /** The batch's records in order, until one is not due yet, one is not done, or the consumer stops. */
  private async handleRecords(payload: EachBatchPayload, progress: BatchProgress): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const retryK = this.topics.retryK(topic);
    const retryDelayMs = retryK > 0 ? this.topics.retryDelayMs(retryK) : 0;
    const dedicated = this.topics.own.has(topic);
    const wait = (ms: number) => waitInPlace(ms, payload, this.heartbeatMs);
    let heartbeatAt = Date.now();
    // Service consumers never seek, so a batch cannot go stale (isStale) while it is processed.
    for (const message of messages) {
      if (!payload.isRunning()) break;
      const retryCopy = retryK > 0 ? readRetryCopy(message.headers, retryK, retryDelayMs, Date.now()) : undefined;
      // Retry copies are in due order, so nothing behind a record that is not due is due either.
      if (retryCopy && "wait" in retryCopy && retryCopy.wait > 0) {
        this.holdFor(payload, retryCopy.wait);
        break;
      }
      const delivery = new RecordDelivery(topic, partition, message, retryCopy?.attempt ?? 1, dedicated);
      if (retryCopy && "problem" in retryCopy) delivery.invalid = retryCopy.problem;
      const done = this.decisions.process(delivery, wait);
      if (done !== true && !(await done)) break;
      progress.done(message.offset);
      const now = Date.now();
      if (now - progress.committedAt >= COMMIT_INTERVAL_MS) await progress.commit();
      if (now - heartbeatAt >= this.heartbeatMs) {
        heartbeatAt = now;
        await payload.heartbeat();
      }
    }
  }

  /** Pauses a retry topic partition for `wait` ms, until its first record is due. */
  private holdFor(payload: EachBatchPayload, wait: number): void {
    const { topic, partition } = payload.batch;
    payload.pause();
    const timer = setTimeout(
      () => {
        this.resumeTimers.delete(timer);
        // An open circuit resumes everything when it half-opens.
        if (!this.stopping && this.circuit?.state !== "open") this.kc.resume([{ topic, partitions: [partition] }]);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    this.resumeTimers.add(timer);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.circuit?.stop(); // records waiting for it are released, uncommitted
      for (const timer of this.resumeTimers) clearTimeout(timer);
      this.resumeTimers.clear();
      await this.leave();
      this.state = "stopped";
      this.options.metrics?.forgetConsumerLag(this.consumer.name);
    })();
    return this.stopping;
  }

  /**
   * Leaves the group. kafkajs leaves it only once joined, and its disconnect() waits for a pending
   * join to complete. A join that waits only for live members completes within their heartbeat
   * interval: wait for it, briefly, so that this member leaves the group. A join held up by a
   * member that died waits for that member's session to expire: then go without waiting (the
   * process ends it); the group expires this member after its own session timeout.
   */
  private async leave(): Promise<void> {
    const waitMs = Math.min(JOIN_WAIT_ON_STOP_MS, this.options.sessionTimeoutMs / 3);
    if (this.state === "joining") {
      let wake = () => undefined as void;
      await Promise.race([new Promise<void>((resolve) => this.joinWaiters.add((wake = resolve))), sleep(waitMs)]);
      this.joinWaiters.delete(wake);
      await new Promise((resolve) => setImmediate(resolve)); // the runner starts right after the join
    }
    // disconnect() stops fetching, waits for the batches in flight (which commit as they end),
    // and leaves the group.
    const disconnecting = this.kc.disconnect();
    if (this.state === "joining") {
      disconnecting.catch(() => undefined);
      this.log.warn(
        { waitedMs: waitMs },
        "stopped while the group join is still pending: the group drops this member when its session times out",
      );
    } else {
      await disconnecting;
    }
  }
}

/**
 * How far a batch got. Offsets are resolved and committed per stretch of records, not per record:
 * only the last one done counts, and kafkajs parses every offset it is given.
 */
class BatchProgress {
  committedAt = Date.now();
  private lastDone: string | undefined;
  private readonly highWatermark: bigint;

  constructor(
    private readonly payload: EachBatchPayload,
    private readonly consumer: string,
    private readonly metrics: LagMetrics | undefined,
  ) {
    const { highWatermark, messages } = payload.batch;
    this.highWatermark = BigInt(highWatermark);
    if (messages[0]) this.reportLag(BigInt(messages[0].offset));
  }

  done(offset: string): void {
    this.lastDone = offset;
  }

  async commit(): Promise<void> {
    if (this.lastDone === undefined) return;
    const { payload } = this;
    const { topic, partition } = payload.batch;
    payload.resolveOffset(this.lastDone);
    const next = BigInt(this.lastDone) + 1n;
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
    });
    this.reportLag(next);
    this.lastDone = undefined;
    this.committedAt = Date.now();
  }

  private reportLag(next: bigint): void {
    const { topic, partition } = this.payload.batch;
    this.metrics?.consumerLag(this.consumer, topic, partition, Math.max(0, Number(this.highWatermark - next)));
  }
}
