// Dead letters on Kafka with @platformatic/kafka, as kafka-dlq.ts does with kafkajs: the consumer
// group `<group>.dlq-replay` keeps a cursor of what was replayed in the dead-letter topic; list
// shows what lies past the cursor, replay copies it to the consumer's replay topic (without
// failure headers: due at once, handled as attempt 1) and moves the cursor past what the broker
// confirmed.
import { Admin, Consumer, ListOffsetTimestamps, stringDeserializer, type Message } from "@platformatic/kafka";
import { randomUUID } from "node:crypto";
import type { Config } from "../../core/config.js";
import { describeDeadLetter, replayHeaders, type DeadLetter, type DeadLetters } from "../../core/dlq.js";
import { headerValue, mapHeaderAttributes } from "../headers.js";
import { clientOptions, type KafkaConnection } from "./client.js";
import { createRecordSender } from "./producer.js";
import { deadLetterQueueOf, type ConsumerDef, type Logger, type ServiceDef } from "../../core/types.js";

type DlqRecord = Message<Buffer | undefined, Buffer | undefined, string, Buffer>;
type DlqConsumer = Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>;

/** Offsets [from, to) of one partition still to read. */
interface Range {
  partition: number;
  from: bigint;
  to: bigint;
}

const replayCursorGroup = (consumer: ConsumerDef) => `${consumer.group}.dlq-replay`;

// Records arrive within seconds of joining the group; silence this long means someone else (a
// second replay) holds the partitions.
const STALL_MS = 30_000;
// Replayed copies go out in requests of up to this many records.
const REPLAY_CHUNK = 100;

function toDeadLetter(record: DlqRecord): DeadLetter {
  return describeDeadLetter(mapHeaderAttributes(record.headers), (name) => headerValue(record.headers, name), {
    position: `${record.topic}[${record.partition}]@${record.offset}`,
    ...(record.key === undefined ? {} : { key: record.key.toString() }),
    body: record.value ?? Buffer.alloc(0),
  });
}

export function openKafkaDeadLetters(service: ServiceDef, config: Config, log: Logger): DeadLetters {
  const connection: KafkaConnection = config.kafka;
  const clientId = `${service.service}-dlq`;
  const admin = new Admin(clientOptions(connection, clientId));
  const sender = createRecordSender(connection, clientId, log);
  const members = new Set<DlqConsumer>();

  function member(group: string): DlqConsumer {
    const consumer = new Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>({
      ...clientOptions(connection, clientId),
      groupId: group,
      maxWaitTime: 500,
      deserializers: { headerKey: stringDeserializer },
    });
    members.add(consumer);
    return consumer;
  }

  async function leave(consumer: DlqConsumer): Promise<void> {
    members.delete(consumer);
    await consumer.close();
  }

  /** What lies between the cursor of `group` (or the start of the log) and the end of `topic` now. */
  async function pendingRanges(topic: string, group: string): Promise<Range[]> {
    if (!(await admin.listTopics()).includes(topic))
      throw new Error(`topic ${topic} does not exist: has the service run yet?`);
    const cursor = member(group);
    try {
      const [starts, ends] = await Promise.all(
        [ListOffsetTimestamps.EARLIEST, ListOffsetTimestamps.LATEST].map(
          async (timestamp) => (await cursor.listOffsets({ topics: [topic], timestamp })).get(topic) ?? [],
        ),
      );
      const partitions = (starts ?? []).map((_, partition) => partition);
      const committed = (await cursor.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic) ?? [];
      return partitions
        .map((partition) => {
          const start = starts![partition]!;
          const at = committed[partition] ?? -1n;
          return { partition, from: at > start ? at : start, to: ends![partition]! };
        })
        .filter((range) => range.from < range.to);
    } finally {
      await leave(cursor);
    }
  }

  /**
   * Reads `ranges` of `topic` as member of `group`, from each range's `from`, and hands over at
   * most `limit` records in runs of one partition, in offset order; `take` resolves once it is done
   * with a run.
   */
  async function read(
    topic: string,
    group: string,
    ranges: Range[],
    limit: number,
    take: (records: DlqRecord[]) => Promise<void>,
  ): Promise<void> {
    const open = new Map(ranges.map((range) => [range.partition, { ...range }]));
    let left = limit;
    if (open.size === 0 || left <= 0) return;
    const consumer = member(group);
    try {
      const offsets = ranges.map(({ partition, from }) => ({ topic, partition, offset: from }));
      const stream = await consumer.consume({ topics: [topic], mode: "manual", offsets, autocommit: false });
      const stalled = () =>
        stream.destroy(new Error(`no records from ${topic} for ${STALL_MS / 1000} s: is another replay running?`));
      let stall = setTimeout(stalled, STALL_MS);
      let run: DlqRecord[] = [];
      const flush = async () => {
        if (run.length > 0) await take(run);
        run = [];
      };
      try {
        for await (const record of stream) {
          clearTimeout(stall);
          stall = setTimeout(stalled, STALL_MS);
          const range = open.get(record.partition);
          if (!range || record.offset < range.from || record.offset >= range.to) continue;
          if (run.length > 0 && (run[0]!.partition !== record.partition || run.length >= REPLAY_CHUNK)) await flush();
          run.push(record);
          left -= 1;
          range.from = record.offset + 1n;
          if (range.from >= range.to) open.delete(record.partition);
          if (open.size === 0 || left <= 0) break;
          if (stream.readableLength === 0) await flush();
        }
        await flush();
      } finally {
        clearTimeout(stall);
        await stream.close().catch(() => undefined);
      }
    } finally {
      await leave(consumer);
    }
  }

  return {
    async list(consumer, limit) {
      const topic = deadLetterQueueOf(consumer);
      const pending = await pendingRanges(topic, replayCursorGroup(consumer));
      const total = pending.reduce((sum, range) => sum + Number(range.to - range.from), 0);
      if (total === 0) return { total, letters: [] };
      // A throwaway group reads without moving the cursor.
      const group = `${replayCursorGroup(consumer)}.list-${randomUUID()}`;
      const ranges = pending.map((range) => ({
        ...range,
        to: Number.isFinite(limit) && range.from + BigInt(limit) < range.to ? range.from + BigInt(limit) : range.to,
      }));
      const records: DlqRecord[] = [];
      try {
        await read(topic, group, ranges, Infinity, async (run) => void records.push(...run));
      } finally {
        await admin.deleteGroups({ groups: [group] }).catch((error: unknown) => {
          log.warn({ group, err: String(error) }, "could not delete the throwaway consumer group");
        });
      }
      const oldestFirst = records.sort((a, b) => Number(a.timestamp - b.timestamp));
      return { total, letters: oldestFirst.slice(0, limit).map(toDeadLetter) };
    },

    async replay(consumer, limit) {
      const target = consumer.replayTopic;
      if (target === undefined) {
        throw new Error(`consumer "${consumer.name}" has no dead letter (deadLetter: false): nothing to replay`);
      }
      const topic = deadLetterQueueOf(consumer);
      const group = replayCursorGroup(consumer);
      const replayed: DeadLetter[] = [];
      const ranges = await pendingRanges(topic, group);
      // The cursor moves only past records whose copies the broker has confirmed.
      await read(topic, group, ranges, limit, async (run) => {
        const copies = run.map((record) => ({
          topic: target,
          key: record.key ?? null,
          value: record.value ?? Buffer.alloc(0),
          headers: replayHeaders(Object.fromEntries(record.headers)),
        }));
        await sender.send(copies);
        await run.at(-1)!.commit();
        replayed.push(...run.map(toDeadLetter));
      });
      log.info({ consumer: consumer.name, count: replayed.length, to: target }, "replayed dead letters");
      return replayed;
    },

    async close() {
      await Promise.allSettled([...members].map((consumer) => consumer.close(true)));
      await sender.close();
      await admin.close();
    },
  };
}
