// Dead letters on Kafka with kafkajs: the topic reads and writes behind list and replay
// (../dead-letters.ts). The cursor group reads on from its own position, a throwaway group from
// the ranges it was given.
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type KafkaMessage,
  type Message,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import type { Config } from "../../core/config.js";
import { describeDeadLetter, replayHeaders, type DeadLetter, type DeadLetters } from "../../core/dlq.js";
import "./timers.js"; // before any kafkajs client exists: no negative timers on Node 24
import {
  kafkaDeadLetters,
  rangesPastCursor,
  stallTimer,
  type DeadLetterLog,
  type Range,
  type ReadOptions,
} from "../dead-letters.js";
import { headerAttributes, headerValue } from "../headers.js";
import type { Logger, ServiceDef } from "../../core/types.js";

interface Read {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export function openKafkaDeadLetters(service: ServiceDef<"kafka">, config: Config<"kafka">, log: Logger): DeadLetters {
  const sasl: SASLOptions | undefined = config.kafka.sasl;
  const kafka = new Kafka({
    clientId: `${service.service}-dlq`,
    brokers: config.kafka.brokers,
    ssl: config.kafka.ssl,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
  });
  return kafkaDeadLetters(new KafkajsDeadLetterLog(kafka), log);
}

class KafkajsDeadLetterLog implements DeadLetterLog<Read> {
  private readonly admin: Admin;
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(private readonly kafka: Kafka) {
    this.admin = kafka.admin();
    // The service's partitioner, so a replayed copy lands where the service's own retry copy would.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async pendingRanges(topic: string, group: string): Promise<Range[]> {
    await (this.connected ??= Promise.all([this.admin.connect(), this.producer.connect()]).then(() => undefined));
    const topics = await this.admin.listTopics();
    if (!topics.includes(topic)) throw new Error(`topic ${topic} does not exist: has the service run yet?`);
    const [ends, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: group, topics: [topic] }),
    ]);
    const cursor = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]));
    return rangesPastCursor(
      ends.map(({ partition, low, high }) => ({
        partition,
        start: BigInt(low),
        end: BigInt(high),
        committed: cursor.get(partition),
      })),
    );
  }

  async read(topic: string, options: ReadOptions, take: (run: Read[]) => Promise<void>): Promise<void> {
    const open = new Map(options.ranges.map((range) => [range.partition, { ...range }]));
    let left = options.limit;
    if (open.size === 0 || left <= 0) return;
    const consumer = this.kafka.consumer({
      groupId: options.group,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    let finish!: (error?: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (error) => (error === undefined ? resolve() : reject(error));
    });
    const stall = stallTimer(topic, finish);
    consumer.on(consumer.events.CRASH, ({ payload }) => finish(payload.error));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch }) => {
          const range = open.get(batch.partition);
          if (!range || left <= 0) return;
          const wanted = batch.messages
            .filter((m) => BigInt(m.offset) >= range.from && BigInt(m.offset) < range.to)
            .slice(0, left);
          const last = wanted.at(-1);
          if (last) {
            stall.reset();
            await take(wanted.map((message) => ({ topic, partition: batch.partition, message })));
            left -= wanted.length;
            range.from = BigInt(last.offset) + 1n;
            if (options.commit) {
              await consumer.commitOffsets([{ topic, partition: batch.partition, offset: range.from.toString() }]);
            }
          }
          if (range.from >= range.to) open.delete(batch.partition);
          if (open.size === 0 || left <= 0) finish();
        },
      });
      // The cursor group reads on from its position; a throwaway group has none and starts at the
      // ranges. Records before `from` that a first fetch may still return are filtered out above.
      if (!options.commit) {
        for (const range of open.values())
          consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
      }
      await finished;
    } finally {
      stall.clear();
      await consumer.disconnect();
    }
  }

  async copy(target: string, run: Read[]): Promise<void> {
    const copies: Message[] = run.map(({ message }) => ({
      key: message.key,
      value: message.value,
      headers: replayHeaders(message.headers ?? {}),
    }));
    await this.producer.send({ topic: target, acks: -1, messages: copies });
  }

  async deleteGroup(group: string): Promise<void> {
    await this.admin.deleteGroups([group]);
  }

  describe({ topic, partition, message }: Read): DeadLetter {
    return describeDeadLetter(headerAttributes(message.headers), (name) => headerValue(message.headers, name), {
      position: `${topic}[${partition}]@${message.offset}`,
      ...(message.key === null ? {} : { key: message.key.toString() }),
      body: message.value ?? Buffer.alloc(0),
    });
  }

  writtenAt(read: Read): number {
    return Number(read.message.timestamp);
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    await this.connected.catch(() => undefined);
    await Promise.all([this.admin.disconnect(), this.producer.disconnect()]);
  }
}
