// Sends records through one idempotent @platformatic/kafka producer, acknowledged by all in-sync
// replicas. Keys go to partitions as kafkajs and the Java client put them (murmur2), keyless
// records round-robin, so one key's events land on the same partition whichever client sent them.
import { compatibilityPartitioner, ProduceAcks, Producer, type MessageToProduce } from "@platformatic/kafka";
import { clientOptions, toBytes, type KafkaConnection } from "./client.js";
import type { RecordHeaders } from "../headers.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/types.js";

export interface OutRecord {
  topic: string;
  key?: Buffer | string | null;
  value: Buffer;
  headers: RecordHeaders;
}

export interface RecordSender {
  /** Resolves once the broker acknowledged every record. */
  send(records: OutRecord[]): Promise<void>;
  /** Connects a producer now rather than on the first send. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

type Bytes = Buffer | string | Array<Buffer | string>;
type PlatformaticProducer = Producer<Bytes, Buffer, string, Bytes>;

// The broker rejects a record batch over message.max.bytes (1 MiB by default); records of one
// request may all land in one partition's batch, so a request stays below that.
const MAX_REQUEST_BYTES = 900 * 1024;
// Record framing: offsets, timestamps, lengths.
const RECORD_OVERHEAD_BYTES = 64;

function recordBytes(record: OutRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + record.value.length + (record.key?.length ?? 0);
  for (const name in record.headers) bytes += name.length + (record.headers[name]?.length ?? 0);
  return bytes;
}

/** Splits records into runs below the request limit; a single larger record goes alone (and fails). */
function requests(records: OutRecord[]): OutRecord[][] {
  const out: OutRecord[][] = [];
  let current: OutRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Texts that repeat from record to record as bytes, each made once: header names, and the values
 * of the headers below (not ids or times, new with every event). Bounded, should a spec or its
 * producers use names without end.
 */
class RepeatedBytes {
  private readonly known = new Map<string, Buffer>();

  of(text: string): Buffer {
    let bytes = this.known.get(text);
    if (bytes === undefined) {
      bytes = Buffer.from(text);
      if (this.known.size < 1000) this.known.set(text, bytes);
    }
    return bytes;
  }
}

const HEADER_NAMES = new RepeatedBytes();
const HEADER_VALUES = new RepeatedBytes();
/** Headers whose values are the same for every event of a type. */
const REPEATING = new Set([
  "ce_type",
  "ce_source",
  "ce_specversion",
  "ce_dataversion",
  "ce_dataschema",
  "content-type",
]);

const headerName = (name?: string) => (name === undefined ? undefined : HEADER_NAMES.of(name));

/** murmur2 of the key like kafkajs's default partitioner; keyless records spread round-robin. */
function keyPartitioner() {
  let next = 0;
  return (message: MessageToProduce<Bytes, Buffer, string, Bytes>, key: Buffer | undefined) =>
    key === undefined ? next++ & 0x7fffffff : compatibilityPartitioner(message, key);
}

function newProducer(connection: KafkaConnection, clientId: string): PlatformaticProducer {
  return new Producer<Bytes, Buffer, string, Bytes>({
    ...clientOptions(connection, clientId),
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: keyPartitioner(),
    serializers: { key: toBytes, headerValue: toBytes, headerKey: headerName },
  });
}

function toMessage(record: OutRecord): MessageToProduce<Bytes, Buffer, string, Bytes> {
  // The record's own headers object, made for this send (attributeHeaders, failureHeaders).
  const { headers } = record;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === "string" && REPEATING.has(name)) headers[name] = HEADER_VALUES.of(value);
  }
  return {
    topic: record.topic,
    value: record.value,
    headers: record.headers as Record<string, Bytes>,
    ...(record.key === null || record.key === undefined ? {} : { key: record.key }),
  };
}

export function createRecordSender(connection: KafkaConnection, clientId: string, log: Logger): RecordSender {
  let producer: PlatformaticProducer | undefined;
  const current = () => (producer ??= newProducer(connection, clientId));

  // After a failed request nobody knows whether the broker wrote it; a new producer id keeps the
  // next records' sequence numbers from being taken for duplicates or refused as out of order.
  async function replaceProducer(failed: PlatformaticProducer): Promise<void> {
    if (producer === failed) producer = undefined;
    await failed.close().catch(() => undefined);
  }

  async function sendRequest(records: OutRecord[]): Promise<void> {
    const used = current();
    try {
      await used.send({ messages: records.map(toMessage) });
    } catch (error) {
      log.warn({ err: errorMessage(error), records: records.length }, "Kafka publish failed; starting a new producer");
      await replaceProducer(used);
      throw error;
    }
  }

  return {
    async send(records) {
      await Promise.all(requests(records).map(sendRequest));
    },
    async connect() {
      await current().initIdempotentProducer({});
    },
    async close() {
      const closing = producer;
      producer = undefined;
      await closing?.close();
    },
  };
}
