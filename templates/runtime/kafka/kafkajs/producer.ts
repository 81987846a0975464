// Sends records through one idempotent producer in as few produce requests as possible. The
// idempotent producer allows a single request in flight, so records handed over while one is in
// flight are gathered into the next request instead of each waiting for its own round trip.
import type { Message, Producer, TopicMessages } from "kafkajs";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/types.js";

export interface OutRecord {
  topic: string;
  message: Message;
}

export interface RecordSender {
  /** Resolves once the broker acknowledged every record (acks from all in-sync replicas). */
  send(records: OutRecord[]): Promise<void>;
  /** Connects a producer now rather than on the first send. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

// The broker rejects a record batch over message.max.bytes (1 MiB by default); records of one
// request may all land in one partition's batch, so a request stays below that.
const MAX_REQUEST_BYTES = 900 * 1024;
// Record framing: offsets, timestamps, lengths.
const RECORD_OVERHEAD_BYTES = 64;

interface Job {
  records: OutRecord[];
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

function recordBytes({ message }: OutRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + (message.value?.length ?? 0) + (message.key?.length ?? 0);
  const headers = message.headers ?? {};
  for (const name in headers) bytes += name.length + (headers[name]?.length ?? 0);
  return bytes;
}

/** Splits records into runs below the request limit; a single larger record goes alone (and fails). */
function chunks(records: OutRecord[]): Array<{ records: OutRecord[]; bytes: number }> {
  const out: Array<{ records: OutRecord[]; bytes: number }> = [];
  let current = { records: [] as OutRecord[], bytes: 0 };
  for (const record of records) {
    const bytes = recordBytes(record);
    if (current.records.length > 0 && current.bytes + bytes > MAX_REQUEST_BYTES) {
      out.push(current);
      current = { records: [], bytes: 0 };
    }
    current.records.push(record);
    current.bytes += bytes;
  }
  if (current.records.length > 0) out.push(current);
  return out;
}

function byTopic(jobs: Job[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const job of jobs) {
    for (const { topic, message } of job.records) {
      const messages = topics.get(topic) ?? [];
      messages.push(message);
      topics.set(topic, messages);
    }
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

export function createRecordSender(newProducer: () => Producer, log: Logger): RecordSender {
  const queue: Job[] = [];
  let flushing = false;
  let producer: Promise<Producer> | undefined;

  const connected = () =>
    (producer ??= (async () => {
      const created = newProducer();
      try {
        await created.connect();
        return created;
      } catch (error) {
        producer = undefined;
        throw error;
      }
    })());

  // After a failed request nobody knows whether the broker wrote it. kafkajs would give the next
  // batch the same sequence numbers, which the broker may take for a duplicate and acknowledge
  // without writing it, or refuse forever as out of order. A new producer id rules out both.
  async function replaceProducer(): Promise<void> {
    const failed = producer;
    producer = undefined;
    await failed?.then((p) => p.disconnect()).catch(() => undefined);
  }

  function takeRequest(): Job[] {
    const jobs = [queue.shift()!];
    let bytes = jobs[0]!.bytes;
    while (queue.length > 0 && bytes + queue[0]!.bytes <= MAX_REQUEST_BYTES) {
      const job = queue.shift()!;
      bytes += job.bytes;
      jobs.push(job);
    }
    return jobs;
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const jobs = takeRequest();
      try {
        // kafkajs retries retriable errors itself; what still fails is the callers' to see.
        await (await connected()).sendBatch({ topicMessages: byTopic(jobs), acks: -1 });
        for (const job of jobs) job.resolve();
      } catch (error) {
        for (const job of jobs) job.reject(error);
        log.warn({ err: errorMessage(error), records: jobs.length }, "Kafka publish failed; starting a new producer");
        await replaceProducer();
      }
    }
    flushing = false;
  }

  return {
    async send(records) {
      const sent = chunks(records).map(
        (chunk) => new Promise<void>((resolve, reject) => queue.push({ ...chunk, resolve, reject })),
      );
      if (!flushing) {
        flushing = true;
        // One turn of the event loop lets concurrent callers join the first request.
        setImmediate(() => void flush());
      }
      await Promise.all(sent);
    },
    connect: async () => void (await connected()),
    async close() {
      const current = producer;
      producer = undefined;
      await (await current)?.disconnect();
    },
  };
}
