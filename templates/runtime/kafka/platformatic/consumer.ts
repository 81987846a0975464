// One consumer-group member per consumer, on @platformatic/kafka. Records arrive on two message
// streams (event and replay topics; retry topics), are queued per partition and go through the
// DeliveryHandler; a record's disposition is carried out (retry copy, dead-letter copy, or nothing)
// before its offset is committed, so a crash at any point redelivers instead of losing.
// Partitions are processed in order, `concurrency` of them at once; a retry topic's partition
// waits until its next record is due. The client heartbeats on its own, whatever a handler does.
import { Consumer, ListOffsetTimestamps, type Message, type MessagesStream } from "@platformatic/kafka";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import type { CircuitBreaker } from "../../core/circuit.js";
import { errorMessage } from "../../core/errors.js";
import { entryHeaderAttributes, failureHeaders, headerNameDecoder } from "../headers.js";
import { clientOptions, type KafkaConnection } from "./client.js";
import type { RecordSender } from "./producer.js";
import { readRetryCopy, type RetryCopy } from "../retry-copies.js";
import { childLogger } from "../../core/logger.js";
import type { LagMetrics } from "../../core/metrics.js";
import {
  COMMIT_INTERVAL_MS,
  MAX_TIMER_MS,
  RecordDecisions,
  heartbeatIntervalMs,
  type RecordCopies,
} from "../records.js";
import type { ConsumerDef, Delivery, DeliveryHandler, Logger, Subscription } from "../../core/types.js";

export interface ConsumerOptions {
  connection: KafkaConnection;
  clientId: string;
  send: RecordSender["send"];
  log: Logger;
  /**
   * How long the group waits for a silent member before handing its partitions to others (the
   * classic protocol; under the consumer protocol the broker's group.consumer.session.timeout.ms
   * rules), and how long a member has to give up revoked partitions.
   */
  sessionTimeoutMs: number;
  /** The consumer group protocol: classic (JoinGroup/SyncGroup) or consumer (KIP-848). */
  groupProtocol: GroupProtocol;
  metrics?: LagMetrics;
}

export interface KafkaSubscription extends Subscription {
  /** False once the consumer failed for good (it restarts itself after broker outages). */
  isAlive(): boolean;
}

/**
 * classic: every join or leave stops the whole group while its members agree on an assignment;
 * consumer (KIP-848, Kafka 4): the broker assigns, and moves only the partitions that change hands.
 */
export type GroupProtocol = "classic" | "consumer";

/** Key and value as fetched (undefined for null), header names decoded. */
type KafkaRecord = Message<Buffer | undefined, Buffer | undefined, string, Buffer>;

// V8 allocates objects straight in the old generation once enough of those made at the same place
// in the code outlived a young-generation collection ("pretenuring"). A fetch's records may do so
// early on (while the young generation is still small), and from then on every record the client
// parses would be made in the old generation, die there and be collected with it: measured on
// 1 KiB events, about half of the runs went that way, at twice the CPU time per event. Records
// never live long, so the process keeps them young. Set once, before the first fetch.
setFlagsFromString("--no-allocation-site-pretenuring");

// A fetch returns early when records arrive; this bounds how late a new record is seen.
const FETCH_WAIT_MS = 1000;
// Small fetches (512 KiB, 256 KiB a partition; a larger first record batch still comes whole): a
// fetch's records are all alive until the last one is handled, and the garbage collector pays for
// them. Within what one young-generation collection cycle allocates, they die young; beyond it
// (kafkajs's 10 MiB and 1 MiB a partition, or about 1 MiB of 1 KiB events), most survive two
// collections, are promoted, and old-generation collections follow: measured on 1 KiB events,
// about a third more CPU time per event and twice the memory (npm run bench:kafka).
const FETCH_SIZE = { maxBytes: 512 * 1024, maxBytesPerPartition: 256 * 1024 };
// Records fetched but not yet handled, per stream, before it stops fetching for a while.
const MAX_QUEUED = 5000;
const LAG_INTERVAL_MS = 1000;
const RESTART_DELAY_MS = 1000;
// How long stop() waits for a pending group join, so that the member can leave the group.
const JOIN_WAIT_ON_STOP_MS = 5000;
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
    this.attributes = entryHeaderAttributes(record.headerEntries);
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
  /** The last offset received (-1n: none yet): a rewound stream (after a rejoin) sends some again. */
  last: bigint;
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
  /** The lane of the last record received. */
  lane?: Lane;
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
  // Partitions handled at once.
  const parallel = Math.max(1, consumer.concurrency);
  const uncommitted = new Set<Lane>();
  let commitQueued = false;
  const stopSignal = new AbortController();
  let member:
    | {
        kc: Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>;
        streams: StreamState[];
        lag?: NodeJS.Timeout;
        /** The assignment last acted on. */
        seen?: Consumer["assignments"];
      }
    | undefined;
  let restarting: Promise<void> | undefined;
  let pendingJoin: Promise<void> | undefined;
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

  /**
   * Commits the progress of lanes whose records were handled as they arrived, once the stream has
   * handed over the whole fetch (a microtask runs after its last record): one commit per partition
   * and fetch, as for a drained lane.
   */
  function commitSoon(lane: Lane): void {
    uncommitted.add(lane);
    if (commitQueued) return;
    commitQueued = true;
    queueMicrotask(commitHandled);
  }

  function commitHandled(): void {
    commitQueued = false;
    for (const lane of uncommitted) commit(lane);
    uncommitted.clear();
  }

  /**
   * Handles the records queued on a lane when it started, then commits how far it got. `first`: a
   * record already under way when the lane started (see `receive`), settled before the others.
   */
  async function drain(lane: Lane, first?: { record: KafkaRecord; done: Promise<boolean> }): Promise<void> {
    if (first) {
      if (!(await first.done)) return commit(lane);
      lane.lastDone = first.record;
    }
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

  function start(lane: Lane, first?: { record: KafkaRecord; done: Promise<boolean> }): void {
    const run = drain(lane, first)
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
    if (running.size < parallel) start(lane);
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
      last: -1n,
      position: offset,
      revoked: false,
      scheduled: false,
      committedAt: Date.now(),
    };
  }

  /** A record of an idle lane, handled as it arrives; one decided by a promise starts the lane's run. */
  function handleNow(lane: Lane, record: KafkaRecord): void {
    let done: boolean | Promise<boolean>;
    try {
      done = processRecord(lane, record);
    } catch (error) {
      log.error({ err: errorMessage(error), partition: lane.key }, "Kafka partition failed");
      return;
    }
    if (done === true) {
      lane.lastDone = record;
      if (!lane.revoked) commitSoon(lane);
      return;
    }
    lane.scheduled = true;
    start(lane, { record, done: Promise.resolve(done) });
  }

  /** Records handed over by the stream; it stops fetching while too many wait. */
  function receive(state: StreamState, record: KafkaRecord): void {
    // A fetch hands over a partition's records one after another: its lane is the last one's.
    let lane = state.lane;
    if (!lane || lane.partition !== record.partition || lane.topic !== record.topic || lane.revoked) {
      const key = `${record.topic}:${record.partition}`;
      lane = lanes.get(key);
      if (!lane) {
        lane = newLane(state, record);
        lanes.set(key, lane);
      }
      state.lane = lane;
    }
    if (record.offset <= lane.last) return;
    lane.last = record.offset;
    // An idle partition's record is handled at once, while it is fresh: most are decided without a
    // promise, and a fetch's records need not wait in the lane (and survive into the older
    // generation of the heap) until a drain takes them. Retry topics wait for their due time instead.
    if (!lane.scheduled && lane.retryK === 0 && running.size < parallel && !stopSignal.signal.aborted) {
      handleNow(lane, record);
      return;
    }
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

  /**
   * Stops a partition's lane after its current record and drops what it had queued. The stream
   * forgets how far it fetched the partition: should the partition come back to this member, it
   * is read from its committed offset (the beginning when none was committed yet), not from where
   * the dropped records ended, which would skip them.
   */
  function revoke(lane: Lane): void {
    lane.revoked = true;
    release(lane.stream, lane.records.splice(0).length);
    lanes.delete(lane.key);
    lane.stream.stream.offsetsToFetch.delete(`${lane.topic}:${lane.partition}`);
  }

  /**
   * A new assignment: the partitions that went elsewhere are revoked, the others go on. The classic
   * protocol announces each one as a join; the consumer protocol changes it between heartbeats, so
   * each heartbeat's answer is looked at too (a new assignment is a new array).
   */
  function onAssignment(): void {
    if (!member || member.kc.assignments === member.seen) return;
    const assignments = (member.seen = member.kc.assignments) ?? [];
    const kept = new Set(assignments.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`)));
    for (const lane of lanes.values()) if (!kept.has(lane.key)) revoke(lane);
    options.metrics?.forgetConsumerLag(consumer.name);
    log.info(
      { group: consumer.group, protocol: options.groupProtocol, assignment: assignments },
      "joined the consumer group",
    );
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
    // The consumer protocol takes the session and heartbeat timing from the broker (the client
    // still checks that its own session timeout, 60 s unless given, is within the rebalance timeout).
    const group =
      options.groupProtocol === "consumer"
        ? {
            groupProtocol: "consumer" as const,
            // Each topic's partitions spread over the members (the uniform assignor balances
            // partition counts only: one member could get every retry partition and no event one).
            groupRemoteAssignor: "range",
            sessionTimeout: options.sessionTimeoutMs,
            rebalanceTimeout: options.sessionTimeoutMs,
          }
        : {
            groupProtocol: "classic" as const,
            sessionTimeout: options.sessionTimeoutMs,
            heartbeatInterval: heartbeatIntervalMs(options.sessionTimeoutMs),
            rebalanceTimeout: options.sessionTimeoutMs,
          };
    const kc = new Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>({
      ...clientOptions(options.connection, options.clientId),
      ...group,
      groupId: consumer.group,
      maxWaitTime: FETCH_WAIT_MS,
      deserializers: { headerKey: headerNameDecoder() },
    });
    kc.on("consumer:group:join", onAssignment);
    if (options.groupProtocol === "consumer") kc.on("consumer:heartbeat:end", onAssignment);
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
    // This member, even if stop() let go of it while it was joining.
    const joined: NonNullable<typeof member> = (member = { kc, streams: [], seen: null });
    for (const topics of streamTopics) joined.streams.push(await openStream(kc, topics));
    if (options.metrics && member === joined) joined.lag = watchLag(kc);
  }

  /** Leaves the group; `force` when the member is broken and has nothing left to commit. */
  async function leave(force: boolean): Promise<void> {
    const current = member;
    member = undefined;
    if (!current) return;
    clearInterval(current.lag);
    await Promise.allSettled(current.streams.map(({ stream }) => stream.close()));
    await current.kc.close(force).catch(async (error: unknown) => {
      log.warn({ err: errorMessage(error) }, "leaving the group failed");
      // Whatever held it back (a stream still open), the member must still leave.
      if (!force) await current.kc.close(true).catch(() => undefined);
    });
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
          await joinGroup();
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

  /** join(), remembered while it is pending (see stop). */
  function joinGroup(): Promise<void> {
    const attempt = join();
    pendingJoin = attempt;
    return attempt.finally(() => {
      if (pendingJoin === attempt) pendingJoin = undefined;
    });
  }

  /** True when `work` settles within `ms`. */
  async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
    const settled = await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
    clearTimeout(timer);
    return settled;
  }

  // The join runs in the background, as on kafkajs: under the classic protocol it waits for every
  // member of the group to rejoin, up to the session timeout of one that died, and the service
  // starts (and may be stopped) meanwhile.
  void joinGroup().catch((error: unknown) => restart(error));

  return {
    isAlive: () => true,
    stop() {
      stopping ??= (async () => {
        circuit?.stop(); // records waiting for it are released, uncommitted
        stopSignal.abort();
        ready.length = 0;
        // Partitions in progress stop after their current record and commit what they finished.
        await Promise.allSettled([...running]);
        commitHandled();
        await Promise.allSettled([...commits]);
        // A join still pending waits for the group: wait briefly, then go without leaving (the
        // process ends the join; the group drops this member when its session times out).
        const waitMs = Math.min(JOIN_WAIT_ON_STOP_MS, options.sessionTimeoutMs / 3);
        if (pendingJoin && !(await settlesWithin(pendingJoin, waitMs))) {
          log.warn(
            { waitedMs: waitMs },
            "stopped while the group join is still pending: the group drops this member when its session times out",
          );
          const current = member;
          member = undefined;
          if (current) clearInterval(current.lag);
          void current?.kc.close(true).catch(() => undefined);
          options.metrics?.forgetConsumerLag(consumer.name);
          return;
        }
        await restarting;
        await leave(false);
        options.metrics?.forgetConsumerLag(consumer.name);
      })();
      return stopping;
    },
  };
}
