// Dead letters on Kafka, whichever the client. A dead-letter topic is a log: replayed records stay
// in it, so the consumer group `<group>.dlq-replay` keeps a cursor of what was replayed; list
// shows what lies past the cursor, replay moves it. A replayed record goes to the consumer's replay
// topic, which only that consumer reads, without failure headers: it is due at once and handled as
// attempt 1. Each client's dlq.ts reads and writes the topics (DeadLetterLog); list and replay
// below are the same on both.
import { randomUUID } from "node:crypto";
import type { DeadLetter, DeadLetters } from "../core/dlq.js";
import { deadLetterQueueOf, type ConsumerDef, type Logger } from "../core/types.js";

/** Offsets [from, to) of one partition still to read. */
export interface Range {
  partition: number;
  from: bigint;
  to: bigint;
}

export interface ReadOptions {
  /** The consumer group reading. */
  group: string;
  ranges: Range[];
  /** At most this many records are handed over. */
  limit: number;
  /** The group's cursor moves past each run of records once `take` is done with it. */
  commit: boolean;
}

/** What a client does with dead-letter topics; `R` is its record. */
export interface DeadLetterLog<R> {
  /** What lies between the cursor of `group` (or the start of the log) and the end of `topic` now. */
  pendingRanges(topic: string, group: string): Promise<Range[]>;
  /** Reads the ranges of `topic`, handing over runs of one partition in offset order. */
  read(topic: string, options: ReadOptions, take: (run: R[]) => Promise<void>): Promise<void>;
  /** Writes replayable copies of `run` to `target`; resolves once the broker confirmed them. */
  copy(target: string, run: R[]): Promise<void>;
  deleteGroup(group: string): Promise<void>;
  describe(record: R): DeadLetter;
  /** The record's timestamp (ms): list shows the oldest first. */
  writtenAt(record: R): number;
  close(): Promise<void>;
}

// Records arrive within seconds of joining the group; silence this long means someone else (a
// second replay) holds the partitions.
export const STALL_MS = 30_000;

/** Fails a read with `fail` once no record came for STALL_MS; `reset` on each record. */
export function stallTimer(topic: string, fail: (error: Error) => void): { reset(): void; clear(): void } {
  const stalled = () =>
    fail(new Error(`no records from ${topic} for ${STALL_MS / 1000} s: is another replay running?`));
  let timer = setTimeout(stalled, STALL_MS);
  return {
    reset() {
      clearTimeout(timer);
      timer = setTimeout(stalled, STALL_MS);
    },
    clear: () => clearTimeout(timer),
  };
}

/** From each partition's cursor (`committed`, else its start) to its end, where records lie between. */
export function rangesPastCursor(
  partitions: Array<{ partition: number; start: bigint; end: bigint; committed: bigint | undefined }>,
): Range[] {
  return partitions
    .map(({ partition, start, end, committed = -1n }) => ({
      partition,
      from: committed > start ? committed : start,
      to: end,
    }))
    .filter((range) => range.from < range.to);
}

const replayCursorGroup = (consumer: ConsumerDef) => `${consumer.group}.dlq-replay`;

export function kafkaDeadLetters<R>(topics: DeadLetterLog<R>, log: Logger): DeadLetters {
  return {
    list: (consumer, limit) => list(topics, log, consumer, limit),
    replay: (consumer, limit) => replay(topics, log, consumer, limit),
    close: () => topics.close(),
  };
}

/** Reads what lies past the cursor with a throwaway group, which leaves the cursor where it is. */
async function list<R>(
  topics: DeadLetterLog<R>,
  log: Logger,
  consumer: ConsumerDef,
  limit: number,
): Promise<{ total: number; letters: DeadLetter[] }> {
  const topic = deadLetterQueueOf(consumer);
  const pending = await topics.pendingRanges(topic, replayCursorGroup(consumer));
  const total = pending.reduce((sum, range) => sum + Number(range.to - range.from), 0);
  if (total === 0) return { total, letters: [] };
  const group = `${replayCursorGroup(consumer)}.list-${randomUUID()}`;
  // The oldest `limit` may lie on any partition: up to `limit` of each.
  const ranges = pending.map((range) => ({
    ...range,
    to: Number.isFinite(limit) && range.from + BigInt(limit) < range.to ? range.from + BigInt(limit) : range.to,
  }));
  const records: R[] = [];
  try {
    await topics.read(topic, { group, ranges, limit: Infinity, commit: false }, async (run) => {
      records.push(...run);
    });
  } finally {
    await topics.deleteGroup(group).catch((error: unknown) => {
      log.warn({ group, err: String(error) }, "could not delete the throwaway consumer group");
    });
  }
  const oldestFirst = records.sort((a, b) => topics.writtenAt(a) - topics.writtenAt(b));
  return { total, letters: oldestFirst.slice(0, limit).map((record) => topics.describe(record)) };
}

/** Copies what lies past the cursor to the replay topic; the cursor moves only past copies the broker confirmed. */
async function replay<R>(
  topics: DeadLetterLog<R>,
  log: Logger,
  consumer: ConsumerDef,
  limit: number,
): Promise<DeadLetter[]> {
  const target = consumer.replayTopic;
  if (target === undefined) {
    throw new Error(`consumer "${consumer.name}" has no dead letter (deadLetter: false): nothing to replay`);
  }
  const topic = deadLetterQueueOf(consumer);
  const group = replayCursorGroup(consumer);
  const replayed: DeadLetter[] = [];
  const ranges = await topics.pendingRanges(topic, group);
  await topics.read(topic, { group, ranges, limit, commit: true }, async (run) => {
    await topics.copy(target, run);
    replayed.push(...run.map((record) => topics.describe(record)));
  });
  log.info({ consumer: consumer.name, count: replayed.length, to: target }, "replayed dead letters");
  return replayed;
}
