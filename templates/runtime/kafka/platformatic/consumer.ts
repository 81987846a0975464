// One consumer-group member per consumer, on @platformatic/kafka. Records arrive on two message
// streams (event and replay topics; retry topics), are queued per partition and go through the
// DeliveryHandler; a record's disposition is carried out (retry copy, dead-letter copy, or nothing)
// before its offset is committed, so a crash at any point redelivers instead of losing.
// Partitions are processed in order, `concurrency` of them at once; a retry topic's partition
// waits until its next record is due. The client heartbeats on its own, whatever a handler does.
import {
  Consumer,
  ListOffsetTimestamps,
  stringDeserializer,
  type Message,
  type MessagesStream,
} from "@platformatic/kafka";
import { setTimeout as sleep } from "node:timers/promises";
import type { CircuitBreaker } from "../../core/circuit.js";
import { errorMessage } from "../../core/errors.js";
import { failureHeaders, mapHeaderAttributes } from "../headers.js";
import { clientOptions, type KafkaConnection } from "./client.js";
import type { RecordSender } from "./producer.js";
import { readRetryCopy, type RetryCopy } from "../retry-copies.js";
import { childLogger } from "../../core/logger.js";
import type { LagMetrics } from "../../core/metrics.js";
import { COMMIT_INTERVAL_MS, MAX_TIMER_MS, RecordDecisions, type RecordCopies } from "../records.js";
import type { ConsumerDef, Delivery, DeliveryHandler, Logger, Subscription } from "../../core/types.js";

export interface ConsumerOptions {
  connection: KafkaConnection;
  clientId: string;
  send: RecordSender["send"];
  log: Logger;
  /** How long the group waits for a silent member before handing its partitions to others. */
  sessionTimeoutMs: number;
  metrics?: LagMetrics;
}

export interface KafkaSubscription extends Subscription {
  /** False once the consumer failed for good (it restarts itself after broker outages). */
  isAlive(): boolean;
}

/** Key and value as fetched (undefined for null), header names decoded. */
type KafkaRecord = Message<Buffer | undefined, Buffer | undefined, string, Buffer>;

// A fetch returns early when records arrive; this bounds how late a new record is seen.
const FETCH_WAIT_MS = 1000;
// Fetches as kafkajs makes them (10 MiB, 1 MiB a partition): the client's default of 50 MiB keeps
// tens of thousands of records alive at once, and the garbage collector pays for them.
const FETCH_SIZE = { maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 };
// Records fetched but not yet handled, per stream, before it stops fetching for a while.
const MAX_QUEUED = 5000;
const LAG_INTERVAL_MS = 1000;
const RESTART_DELAY_MS = 1000;
const EMPTY = Buffer.alloc(0);

/** A record as the pipeline sees it; its origin is spelled out only when a log line needs it. */
class RecordDelivery implements Delivery {
  readonly attributes: Record<string, string>;
  readonly body: Buffer;
  readonly key?: string;
  invalid?: string;

  constructor(
    readonly record: KafkaRecord,
    readonly attempt: number,
    /** Read from the consumer's own retry or replay topic rather than a shared event topic. */
    readonly dedicated: boolean,
  ) {
    this.attributes = mapHeaderAttributes(record.headers);
    this.body = record.value ?? EMPTY;
    if (record.key !== undefined) this.key = record.key.toString();
  }

  get origin(): string {
    return `${this.record.topic}[${this.record.partition}]@${this.record.offset}`;
  }
}

/** One partition's records waiting to be handled, in offset order. */
interface Lane {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** k of retry-<k>, 0 for any other topic. */
  readonly retryK: number;
  /** Only this consumer's events are on its topic (retry, replay). */
  readonly dedicated: boolean;
  readonly stream: StreamState;
  records: KafkaRecord[];
  /** The offset after the last record received: a rewound stream (after a rejoin) sends some again. */
  next: bigint;
  /** The first offset not committed yet: the lag counts from here. */
  position: bigint;
  /** Set when the partition went to another member: what is left of it is that member's. */
  revoked: boolean;
  scheduled: boolean;
  lastDone?: KafkaRecord;
  committedAt: number;
}

interface StreamState {
  stream: MessagesStream<Buffer | undefined, Buffer | undefined, string, Buffer>;
  queued: number;
  paused: boolean;
}

/** Copies of a record, with the failure headers, through the service's producer. */
function recordCopies(send: RecordSender["send"]): RecordCopies<RecordDelivery> {
  return {
    async send(topic, { record }, failure, dueAt) {
      const from = { topic: record.topic, partition: record.partition };
      const headers = failureHeaders({ headers: record.headers, offset: String(record.offset) }, from, failure, dueAt);
      await send([{ topic, key: record.key ?? null, value: record.value ?? EMPTY, headers }]);
    },
    again: (delivery, attempt) => new RecordDelivery(delivery.record, attempt, delivery.dedicated),
  };
}

export async function subscribeConsumer(
  options: ConsumerOptions,
  consumer: ConsumerDef,
  handle: DeliveryHandler,
  circuit?: CircuitBreaker,
): Promise<KafkaSubscription> {
  const log = childLogger(options.log, { consumer: consumer.name });
  const decisions = new RecordDecisions(consumer, handle, log, recordCopies(options.send));
  const blocking = consumer.retry.mode === "blocking";
  const retryTopics = new Set(blocking ? [] : consumer.retryQueues);
  const replay = consumer.replayTopic ? [consumer.replayTopic] : [];
  // Topics only this consumer's events reach.
  const ownTopics = new Set([...retryTopics, ...replay]);
  const streamTopics = [[...consumer.topics, ...replay], [...retryTopics]].filter((topics) => topics.length > 0);
  const lanes = new Map<string, Lane>();
  const ready: Lane[] = [];
  const running = new Set<Promise<void>>();
  const commits = new Set<Promise<void>>();
  const stopSignal = new AbortController();
  let member:
    | {
        kc: Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>;
        streams: StreamState[];
        lag?: NodeJS.Timeout;
      }
    | undefined;
  let restarting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let circuitOpen = false;

  /** Sleeps up to `ms`; false when the consumer stopped meanwhile. */
  async function pause(ms: number): Promise<boolean> {
    await sleep(ms, undefined, { signal: stopSignal.signal }).catch(() => undefined);
    return !stopSignal.signal.aborted;
  }

  /** True once the record's disposition was carried out; a record acknowledged at once costs no await. */
  function processRecord(lane: Lane, record: KafkaRecord, retryCopy?: RetryCopy): boolean | Promise<boolean> {
    const delivery = new RecordDelivery(record, retryCopy?.attempt ?? 1, lane.dedicated);
    if (retryCopy && "problem" in retryCopy) delivery.invalid = retryCopy.problem;
    return decisions.process(delivery, pause);
  }

  /** A retry topic's record as read, once it is due; false when the consumer stopped first. */
  async function dueCopy(lane: Lane, record: KafkaRecord): Promise<RetryCopy | false> {
    const delayMs = consumer.retry.delaysMs[lane.retryK - 1] ?? 0;
    // Retry copies are in due order: waiting for this one holds back nothing that is due.
    for (;;) {
      const copy = readRetryCopy(record.headers, lane.retryK, delayMs, Date.now());
      if (!("wait" in copy) || copy.wait <= 0) return copy;
      if (!(await pause(Math.min(copy.wait, MAX_TIMER_MS)))) return false;
    }
  }

  /**
   * Commits the lane's progress without waiting for the broker: the partition goes on meanwhile
   * (the client keeps a partition's commits in order, the highest offset winning), and stop waits
   * for every commit still out.
   */
  function commit(lane: Lane): void {
    const last = lane.lastDone;
    // A revoked partition's offsets are no longer this member's to commit.
    if (!last || lane.revoked) return;
    lane.lastDone = undefined;
    lane.committedAt = Date.now();
    const sent = Promise.resolve(last.commit())
      .then(() => {
        if (lane.position <= last.offset) lane.position = last.offset + 1n;
      })
      .catch((error: unknown) => {
        // The partition moved to another member, or the broker is away: the records are redelivered.
        log.warn(
          { err: errorMessage(error), origin: `${last.topic}[${last.partition}]@${last.offset}` },
          "commit failed",
        );
      })
      .finally(() => commits.delete(sent));
    commits.add(sent);
  }

  /** Handles the records queued on a lane when it started, then commits how far it got. */
  async function drain(lane: Lane): Promise<void> {
    const records = lane.records;
    lane.records = [];
    release(lane.stream, records.length);
    for (const record of records) {
      if (stopSignal.signal.aborted || lane.revoked) break;
      const copy = lane.retryK > 0 ? await dueCopy(lane, record) : undefined;
      if (copy === false) break;
      const done = processRecord(lane, record, copy);
      if (done !== true && !(await done)) break;
      lane.lastDone = record;
      if (Date.now() - lane.committedAt >= COMMIT_INTERVAL_MS) commit(lane);
    }
    commit(lane);
  }

  function start(lane: Lane): void {
    const run = drain(lane)
      .catch((error: unknown) => log.error({ err: errorMessage(error), partition: lane.key }, "Kafka partition failed"))
      .finally(() => {
        running.delete(run);
        lane.scheduled = false;
        if (lane.records.length > 0) schedule(lane);
        const next = ready.shift();
        if (next) start(next);
      });
    running.add(run);
  }

  function schedule(lane: Lane): void {
    if (lane.scheduled || stopSignal.signal.aborted) return;
    lane.scheduled = true;
    if (running.size < Math.max(1, consumer.concurrency)) start(lane);
    else ready.push(lane);
  }

  function newLane(stream: StreamState, first: KafkaRecord): Lane {
    const { topic, partition, offset } = first;
    return {
      key: `${topic}:${partition}`,
      topic,
      partition,
      retryK: retryTopics.has(topic) ? consumer.retryQueues.indexOf(topic) + 1 : 0,
      dedicated: ownTopics.has(topic),
      stream,
      records: [],
      next: -1n,
      position: offset,
      revoked: false,
      scheduled: false,
      committedAt: Date.now(),
    };
  }

  /** Records handed over by the stream; it stops fetching while too many wait. */
  function receive(state: StreamState, record: KafkaRecord): void {
    const key = `${record.topic}:${record.partition}`;
    let lane = lanes.get(key);
    if (!lane) {
      lane = newLane(state, record);
      lanes.set(key, lane);
    }
    if (record.offset < lane.next) return;
    lane.next = record.offset + 1n;
    lane.records.push(record);
    if (++state.queued >= MAX_QUEUED && !state.paused) {
      state.paused = true;
      if (!circuitOpen) state.stream.pause();
    }
    schedule(lane);
  }

  function release(state: StreamState, handedOver: number): void {
    state.queued -= handedOver;
    if (state.paused && state.queued < MAX_QUEUED / 2) {
      state.paused = false;
      if (!circuitOpen) state.stream.resume();
    }
  }

  /** Stops a partition's lane after its current record and drops what it had queued. */
  function revoke(lane: Lane): void {
    lane.revoked = true;
    release(lane.stream, lane.records.splice(0).length);
    lanes.delete(lane.key);
  }

  /** A new assignment: the partitions that went elsewhere are revoked, the others go on. */
  function onAssignment(): void {
    const assignments = member?.kc.assignments ?? [];
    const kept = new Set(assignments.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`)));
    for (const lane of lanes.values()) if (!kept.has(lane.key)) revoke(lane);
    options.metrics?.forgetConsumerLag(consumer.name);
    log.info({ group: consumer.group, assignment: assignments }, "joined the consumer group");
  }

  /** Each partition this member has read: its end now, less the first offset not committed yet. */
  async function reportLag(kc: Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>): Promise<void> {
    const topics = [...new Set([...lanes.values()].map((lane) => lane.topic))];
    if (topics.length === 0 || !options.metrics) return;
    const ends = await kc.listOffsets({ topics, timestamp: ListOffsetTimestamps.LATEST });
    for (const lane of lanes.values()) {
      const end = ends.get(lane.topic)?.[lane.partition];
      if (end !== undefined)
        options.metrics.consumerLag(
          consumer.name,
          lane.topic,
          lane.partition,
          Math.max(0, Number(end - lane.position)),
        );
    }
  }

  function watchLag(kc: Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>): NodeJS.Timeout {
    let measuring = false;
    const timer = setInterval(() => {
      if (measuring) return;
      measuring = true;
      reportLag(kc)
        .catch((error: unknown) => log.debug({ err: errorMessage(error) }, "could not measure the consumer lag"))
        .finally(() => (measuring = false));
    }, LAG_INTERVAL_MS);
    timer.unref();
    return timer;
  }

  function newConsumer(): Consumer<Buffer | undefined, Buffer | undefined, string, Buffer> {
    const heartbeatInterval = Math.max(500, Math.floor(options.sessionTimeoutMs / 10));
    const kc = new Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>({
      ...clientOptions(options.connection, options.clientId),
      groupId: consumer.group,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval,
      rebalanceTimeout: options.sessionTimeoutMs,
      maxWaitTime: FETCH_WAIT_MS,
      deserializers: { headerKey: stringDeserializer },
    });
    kc.on("consumer:group:join", onAssignment);
    return kc;
  }

  async function openStream(
    kc: Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>,
    topics: string[],
  ): Promise<StreamState> {
    // A new group starts at the beginning: events published before its first start are not skipped.
    const stream = await kc.consume({
      topics,
      mode: "committed",
      fallbackMode: "earliest",
      autocommit: false,
      ...FETCH_SIZE,
    });
    const state: StreamState = { stream, queued: 0, paused: false };
    if (circuitOpen) stream.pause(); // rejoined while the circuit is open
    stream.on("data", (record) => receive(state, record));
    stream.on("error", (error) => void restart(error));
    return state;
  }

  async function join(): Promise<void> {
    const kc = newConsumer();
    member = { kc, streams: [] };
    for (const topics of streamTopics) member.streams.push(await openStream(kc, topics));
    if (options.metrics) member.lag = watchLag(kc);
  }

  /** Leaves the group; `force` when the member is broken and has nothing left to commit. */
  async function leave(force: boolean): Promise<void> {
    const current = member;
    member = undefined;
    if (!current) return;
    clearInterval(current.lag);
    await Promise.allSettled(current.streams.map(({ stream }) => stream.close()));
    await current.kc
      .close(force)
      .catch((error: unknown) => log.warn({ err: errorMessage(error) }, "leaving the group failed"));
  }

  /** Broker outages end the stream after the client's retries; the member always comes back. */
  function restart(error: unknown): Promise<void> {
    if (stopSignal.signal.aborted) return Promise.resolve();
    return (restarting ??= (async () => {
      log.warn({ err: errorMessage(error) }, "Kafka consumer failed, restarting");
      // The new member starts from the committed offsets.
      for (const lane of lanes.values()) revoke(lane);
      await leave(true);
      while (await pause(RESTART_DELAY_MS)) {
        try {
          await join();
          return;
        } catch (retryError) {
          await leave(true);
          log.warn({ err: errorMessage(retryError) }, "Kafka consumer could not rejoin, retrying");
        }
      }
    })().finally(() => (restarting = undefined)));
  }

  // While the circuit is open the streams stop fetching; the records already taken wait in the
  // pipeline (the client heartbeats on its own), and half-open lets fetching resume for the probe.
  circuit?.onChange((state) => {
    circuitOpen = state === "open";
    for (const stream of member?.streams ?? []) {
      if (circuitOpen) stream.stream.pause();
      else if (!stream.paused) stream.stream.resume();
    }
  });

  await join();

  return {
    isAlive: () => true,
    stop() {
      stopping ??= (async () => {
        circuit?.stop(); // records waiting for it are released, uncommitted
        stopSignal.abort();
        ready.length = 0;
        // Partitions in progress stop after their current record and commit what they finished.
        await Promise.allSettled([...running]);
        await Promise.allSettled([...commits]);
        await restarting;
        await leave(false);
        options.metrics?.forgetConsumerLag(consumer.name);
      })();
      return stopping;
    },
  };
}
