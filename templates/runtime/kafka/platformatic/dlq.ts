// Dead letters on Kafka with @platformatic/kafka: the topic reads and writes behind list and
// replay (../dead-letters.ts). Every read starts at the ranges it was given.
import { Admin, Consumer, ListOffsetTimestamps, stringDeserializer, type Message } from "@platformatic/kafka";
import type { Config } from "../../core/config.js";
import { describeDeadLetter, replayHeaders, type DeadLetter, type DeadLetters } from "../../core/dlq.js";
import {
  kafkaDeadLetters,
  rangesPastCursor,
  stallTimer,
  type DeadLetterLog,
  type Range,
  type ReadOptions,
} from "../dead-letters.js";
import { entryHeaderAttributes, headerValue } from "../headers.js";
import { clientOptions, type KafkaConnection } from "./client.js";
import { createRecordSender, type RecordSender } from "./producer.js";
import type { Logger, ServiceDef } from "../../core/types.js";

type DlqRecord = Message<Buffer | undefined, Buffer | undefined, string, Buffer>;
type DlqConsumer = Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>;

// Replayed copies go out in requests of up to this many records.
const REPLAY_CHUNK = 100;

export function openKafkaDeadLetters(service: ServiceDef<"kafka">, config: Config<"kafka">, log: Logger): DeadLetters {
  const connection: KafkaConnection = config.kafka;
  return kafkaDeadLetters(new PlatformaticDeadLetterLog(connection, `${service.service}-dlq`, log), log);
}

class PlatformaticDeadLetterLog implements DeadLetterLog<DlqRecord> {
  private readonly admin: Admin;
  private readonly sender: RecordSender;
  /** The group members open now, closed by close(). */
  private readonly members = new Set<DlqConsumer>();

  constructor(
    private readonly connection: KafkaConnection,
    private readonly clientId: string,
    log: Logger,
  ) {
    this.admin = new Admin(clientOptions(connection, clientId));
    this.sender = createRecordSender(connection, clientId, log);
  }

  async pendingRanges(topic: string, group: string): Promise<Range[]> {
    if (!(await this.admin.listTopics()).includes(topic))
      throw new Error(`topic ${topic} does not exist: has the service run yet?`);
    const cursor = this.member(group);
    try {
      const [starts, ends] = await Promise.all(
        [ListOffsetTimestamps.EARLIEST, ListOffsetTimestamps.LATEST].map(
          async (timestamp) => (await cursor.listOffsets({ topics: [topic], timestamp })).get(topic) ?? [],
        ),
      );
      const partitions = (starts ?? []).map((_, partition) => partition);
      const committed = (await cursor.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic) ?? [];
      return rangesPastCursor(
        partitions.map((partition) => ({
          partition,
          start: starts![partition]!,
          end: ends![partition]!,
          committed: committed[partition],
        })),
      );
    } finally {
      await this.leave(cursor);
    }
  }

  async read(topic: string, options: ReadOptions, take: (run: DlqRecord[]) => Promise<void>): Promise<void> {
    const open = new Map(options.ranges.map((range) => [range.partition, { ...range }]));
    let left = options.limit;
    if (open.size === 0 || left <= 0) return;
    const consumer = this.member(options.group);
    try {
      const offsets = options.ranges.map(({ partition, from }) => ({ topic, partition, offset: from }));
      const stream = await consumer.consume({ topics: [topic], mode: "manual", offsets, autocommit: false });
      const stall = stallTimer(topic, (error) => stream.destroy(error));
      let run: DlqRecord[] = [];
      const flush = async () => {
        if (run.length === 0) return;
        await take(run);
        if (options.commit) await run.at(-1)!.commit();
        run = [];
      };
      try {
        for await (const record of stream) {
          stall.reset();
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
        stall.clear();
        await stream.close().catch(() => undefined);
      }
    } finally {
      await this.leave(consumer);
    }
  }

  async copy(target: string, run: DlqRecord[]): Promise<void> {
    await this.sender.send(
      run.map((record) => ({
        topic: target,
        key: record.key ?? null,
        value: record.value ?? Buffer.alloc(0),
        headers: replayHeaders(Object.fromEntries(record.headers)),
      })),
    );
  }

  async deleteGroup(group: string): Promise<void> {
    await this.admin.deleteGroups({ groups: [group] });
  }

  describe(record: DlqRecord): DeadLetter {
    return describeDeadLetter(
      entryHeaderAttributes(record.headerEntries),
      (name) => headerValue(record.headers, name),
      {
        position: `${record.topic}[${record.partition}]@${record.offset}`,
        ...(record.key === undefined ? {} : { key: record.key.toString() }),
        body: record.value ?? Buffer.alloc(0),
      },
    );
  }

  writtenAt(record: DlqRecord): number {
    return Number(record.timestamp);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.members].map((consumer) => consumer.close(true)));
    await this.sender.close();
    await this.admin.close();
  }

  private member(group: string): DlqConsumer {
    const consumer = new Consumer<Buffer | undefined, Buffer | undefined, string, Buffer>({
      ...clientOptions(this.connection, this.clientId),
      groupId: group,
      maxWaitTime: 500,
      deserializers: { headerKey: stringDeserializer },
    });
    this.members.add(consumer);
    return consumer;
  }

  private async leave(consumer: DlqConsumer): Promise<void> {
    this.members.delete(consumer);
    await consumer.close();
  }
}
