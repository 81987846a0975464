// Dead letters on Kafka. A dead-letter topic is a log: replayed records stay in it, so the consumer
// group `<group>.dlq-replay` keeps a cursor of what was replayed; list shows what lies past the
// cursor, replay moves it. A replayed record goes to the consumer's first retry topic, which only
// that consumer reads, without failure headers: it is due at once and handled as attempt 1.
import { Kafka, Partitioners, logLevel, type Admin, type KafkaMessage, type Message, type SASLOptions } from "kafkajs";
import { randomUUID } from "node:crypto";
import type { Config } from "../../core/config.js";
import { describeDeadLetter, replayHeaders, type DeadLetter, type DeadLetters } from "../../core/dlq.js";
import "./timers.js"; // before any kafkajs client exists: no negative timers on Node 24
import { headerAttributes, headerValue } from "../headers.js";
import { deadLetterQueueOf, type ConsumerDef, type Logger, type ServiceDef } from "../../core/types.js";

/** Offsets [from, to) of one partition still to read. */
interface Range {
  partition: number;
  from: bigint;
  to: bigint;
}

interface Read {
  partition: number;
  message: KafkaMessage;
}

const replayCursorGroup = (consumer: ConsumerDef) => `${consumer.group}.dlq-replay`;

// Records arrive within seconds of joining the group; silence this long means someone else (a
// second replay) holds the partitions.
const STALL_MS = 30_000;

function toDeadLetter(topic: string, { partition, message }: Read): DeadLetter {
  return describeDeadLetter(headerAttributes(message.headers), (name) => headerValue(message.headers, name), {
    position: `${topic}[${partition}]@${message.offset}`,
    ...(message.key === null ? {} : { key: message.key.toString() }),
    body: message.value ?? Buffer.alloc(0),
  });
}

/** What lies between the cursor of `group` (or the start of the log) and the end of `topic` now. */
async function pendingRanges(admin: Admin, topic: string, group: string): Promise<Range[]> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new Error(`topic ${topic} does not exist: has the service run yet?`);
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  const cursor = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  return ends
    .map(({ partition, low, high }) => {
      const start = BigInt(low);
      const at = cursor.get(partition) ?? -1n;
      return { partition, from: at > start ? at : start, to: BigInt(high) };
    })
    .filter((range) => range.from < range.to);
}

export function openKafkaDeadLetters(service: ServiceDef, config: Config, log: Logger): DeadLetters {
  const sasl: SASLOptions | undefined = config.kafka.sasl;
  const kafka = new Kafka({
    clientId: `${service.service}-dlq`,
    brokers: config.kafka.brokers,
    ssl: config.kafka.ssl,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  // The service's partitioner, so a replayed copy lands where the service's own retry copy would.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | undefined;
  const connect = () => (connected ??= Promise.all([admin.connect(), producer.connect()]).then(() => undefined));

  /**
   * Reads `ranges` of `topic` as member of `group` and hands over at most `limit` records,
   * partition by partition, in offset order. With `seek`, reading starts at each range's `from`;
   * otherwise at the group's position. With `commit`, the group's position moves past each run
   * of records once `take` is done with it.
   */
  async function read(
    topic: string,
    options: { group: string; ranges: Range[]; limit: number; seek: boolean; commit: boolean },
    take: (partition: number, messages: KafkaMessage[]) => Promise<void>,
  ): Promise<void> {
    const open = new Map(options.ranges.map((range) => [range.partition, { ...range }]));
    let left = options.limit;
    if (open.size === 0 || left <= 0) return;
    const consumer = kafka.consumer({
      groupId: options.group,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    let finish!: (error?: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (error) => (error === undefined ? resolve() : reject(error));
    });
    const stalled = () =>
      finish(new Error(`no records from ${topic} for ${STALL_MS / 1000} s: is another replay running?`));
    let stall = setTimeout(stalled, STALL_MS);
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
            clearTimeout(stall);
            stall = setTimeout(stalled, STALL_MS);
            await take(batch.partition, wanted);
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
      // Records before `from` that a first fetch may still return are filtered out above.
      if (options.seek) {
        for (const range of open.values())
          consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
      }
      await finished;
    } finally {
      clearTimeout(stall);
      await consumer.disconnect();
    }
  }

  return {
    async list(consumer, limit) {
      await connect();
      const topic = deadLetterQueueOf(consumer);
      const pending = await pendingRanges(admin, topic, replayCursorGroup(consumer));
      const total = pending.reduce((sum, range) => sum + Number(range.to - range.from), 0);
      if (total === 0) return { total, letters: [] };
      // A throwaway group, starting at the cursor, reads without moving it.
      const group = `${replayCursorGroup(consumer)}.list-${randomUUID()}`;
      const ranges = pending.map((range) => ({
        ...range,
        to: Number.isFinite(limit) && range.from + BigInt(limit) < range.to ? range.from + BigInt(limit) : range.to,
      }));
      const reads: Read[] = [];
      try {
        await read(
          topic,
          { group, ranges, limit: Infinity, seek: true, commit: false },
          async (partition, messages) => {
            reads.push(...messages.map((message) => ({ partition, message })));
          },
        );
      } finally {
        await admin.deleteGroups([group]).catch((error: unknown) => {
          log.warn({ group, err: String(error) }, "could not delete the throwaway consumer group");
        });
      }
      const oldestFirst = reads.sort((a, b) => Number(a.message.timestamp) - Number(b.message.timestamp));
      return { total, letters: oldestFirst.slice(0, limit).map((r) => toDeadLetter(topic, r)) };
    },

    async replay(consumer, limit) {
      const target = consumer.replayTopic;
      if (target === undefined) {
        throw new Error(`consumer "${consumer.name}" has no dead letter (deadLetter: false): nothing to replay`);
      }
      await connect();
      const topic = deadLetterQueueOf(consumer);
      const group = replayCursorGroup(consumer);
      const replayed: DeadLetter[] = [];
      const ranges = await pendingRanges(admin, topic, group);
      // The cursor moves only past records whose copies the broker has confirmed.
      await read(topic, { group, ranges, limit, seek: false, commit: true }, async (partition, messages) => {
        const copies: Message[] = messages.map((m) => ({
          key: m.key,
          value: m.value,
          headers: replayHeaders(m.headers ?? {}),
        }));
        await producer.send({ topic: target, acks: -1, messages: copies });
        replayed.push(...messages.map((message) => toDeadLetter(topic, { partition, message })));
      });
      log.info({ consumer: consumer.name, count: replayed.length, to: target }, "replayed dead letters");
      return replayed;
    },

    async close() {
      if (!connected) return;
      await connected.catch(() => undefined);
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    },
  };
}
