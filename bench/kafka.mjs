// npm run bench:kafka: a generated Kafka service on each client (kafka.client kafkajs and
// platformatic) against raw kafkajs and raw @platformatic/kafka with the same settings (idempotent
// producer, acks from all replicas, murmur2 key partitioning, batches of the same size; manual
// commits per fetched run of records), on events of about 1 KiB. Each side runs alone in its own
// process, all four in turns within each round, each round starting with the next one. Prints per
// side events/s (the best round, as other load on the machine only ever slows a round down), the
// ratio to raw kafkajs (of the best rounds, and the median within rounds), CPU time per event and
// peak RSS. Needs the broker on 127.0.0.1:9092 (scripts/kafka.sh start) and a built evgen.
//   BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 3), KAFKA_BROKERS (default 127.0.0.1:9092)
import { Consumer, ProduceAcks, Producer, compatibilityPartitioner, stringSerializers } from "@platformatic/kafka";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, Partitioners, logLevel } from "kafkajs";
import {
  EVENTS,
  ROOT,
  ROUNDS,
  benchSpec,
  consumeGenerated,
  generateProject,
  inRotation,
  measure,
  payload,
  printTable,
  publishGenerated,
  report,
  runRoleOr,
  startClock,
} from "./support.mjs";

const BATCH = 500;
const PARTITIONS = 3;
const BROKERS = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const CLIENTS = ["kafkajs", "platformatic"];

const kafka = () => new Kafka({ clientId: "bench", brokers: BROKERS, logLevel: logLevel.NOTHING });

const spec = (service, client) =>
  benchSpec(service, "kafka", {
    root: `kafka:\n  client: ${client}\n`,
    event: `    key: orderId\n    topic: ${service}.orders\n`,
  });

const headers = () => ({
  ce_id: randomUUID(),
  ce_type: "order.created",
  ce_source: "/bench",
  ce_specversion: "1.0",
  ce_time: new Date().toISOString(),
  ce_dataversion: "1",
  "content-type": "application/json",
});

// --- the roles, each run in a child process -----------------------------------------------------

async function publishRawKafkajs(topic) {
  const producer = kafka().producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const message = (data) => ({ key: data.orderId, value: JSON.stringify(data), headers: headers() });
  await producer.send({ topic, acks: -1, messages: [message(payload(-1))] });
  const stop = startClock();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const n = Math.min(BATCH, EVENTS - i);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, k) => message(payload(i + k))) });
  }
  report(stop(EVENTS));
  await producer.disconnect();
}

async function publishRawPlatformatic(topic) {
  const producer = new Producer({
    clientId: "bench",
    bootstrapBrokers: BROKERS,
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
    serializers: stringSerializers,
  });
  const message = (data) => ({ topic, key: data.orderId, value: JSON.stringify(data), headers: headers() });
  await producer.send({ messages: [message(payload(-1))] });
  const stop = startClock();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const n = Math.min(BATCH, EVENTS - i);
    await producer.send({ messages: Array.from({ length: n }, (_, k) => message(payload(i + k))) });
  }
  report(stop(EVENTS));
  await producer.close();
}

async function consumeRawKafkajs(topic) {
  const consumer = kafka().consumer({ groupId: `${topic}.raw-consumer`, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // Leave the group on the way out, so that the next round may reset its offsets.
  process.once("SIGTERM", () => void consumer.disconnect().then(() => process.exit(0)));
  let count = 0;
  let stop;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      for (const message of batch.messages) {
        if (count === 0) stop = startClock();
        JSON.parse(message.value.toString());
        resolveOffset(message.offset);
        await heartbeat();
        if (++count === EVENTS + 1) report(stop(count));
      }
      const offset = (BigInt(batch.messages.at(-1).offset) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition: batch.partition, offset }] }] });
    },
  });
}

async function consumeRawPlatformatic(topic) {
  const consumer = new Consumer({ clientId: "bench", bootstrapBrokers: BROKERS, groupId: `${topic}.raw-consumer` });
  const stream = await consumer.consume({
    topics: [topic],
    mode: "committed",
    fallbackMode: "earliest",
    autocommit: false,
    maxWaitTime: 1000,
    // The generated consumer's fetch sizes (templates/runtime/kafka/platformatic/consumer.ts).
    maxBytes: 512 * 1024,
    maxBytesPerPartition: 256 * 1024,
  });
  process.once("SIGTERM", () => void consumer.close(true).then(() => process.exit(0)));
  // The last record of each partition of a fetch, committed when the next fetch answers (the
  // stream hands over a fetch's records at once), as kafkajs commits after each fetched batch.
  const last = new Map();
  let count = 0;
  let stop;
  stream.on("fetch", () => {
    for (const done of last.values()) void done.commit();
    last.clear();
  });
  stream.on("data", (message) => {
    if (count === 0) stop = startClock();
    JSON.parse(message.value.toString());
    last.set(message.partition, message);
    if (++count === EVENTS + 1) report(stop(count));
  });
}

// --- the orchestrator ---------------------------------------------------------------------------

async function orchestrate() {
  const run = `bench-${Date.now().toString(36)}`;
  const projects = Object.fromEntries(
    CLIENTS.map((client) => {
      const service = `${run}-${client === "kafkajs" ? "kjs" : "plt"}`;
      return [client, { service, dir: join(ROOT, ".cache", "bench", service), topic: `${service}.orders` }];
    }),
  );
  const raw = Object.fromEntries(CLIENTS.map((client) => [client, `${run}.raw-${client}`]));
  const admin = kafka().admin();
  await admin.connect();
  try {
    for (const [client, { dir, service }] of Object.entries(projects)) {
      console.error(`generating ${dir}`);
      generateProject(dir, spec(service, client));
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(raw).map((topic) => ({ topic, numPartitions: PARTITIONS })),
    });

    const self = fileURLToPath(import.meta.url);
    const env = { ...process.env, KAFKA_BROKERS: BROKERS.join(","), BENCH_EVENTS: String(EVENTS) };
    const runs = { publish: {}, consume: {} };
    const generatedSide = (client) => `generated on ${client}`;
    const rawSide = (client) => `raw ${client}`;
    const publishSides = {};
    const consumeSides = {};
    for (const client of CLIENTS) {
      const { dir, service, topic } = projects[client];
      publishSides[generatedSide(client)] = () => measure([self, "publish-generated", dir], { env });
      publishSides[rawSide(client)] = () => measure([self, `publish-raw-${client}`, raw[client]], { env });
      // Each round reads the first EVENTS (+ the warm-up event) again, from the beginning.
      consumeSides[generatedSide(client)] = async () => {
        const result = await consumeGenerated(dir, env);
        await admin.resetOffsets({ groupId: `${service}.bench`, topic, earliest: true });
        return result;
      };
      consumeSides[rawSide(client)] = async () => {
        const result = await measure([self, `consume-raw-${client}`, raw[client]], { env });
        await admin.resetOffsets({ groupId: `${raw[client]}.raw-consumer`, topic: raw[client], earliest: true });
        return result;
      };
    }
    for (let round = 1; round <= ROUNDS; round++) {
      console.error(`round ${round}/${ROUNDS}: publishing ${EVENTS} events of ~1 KiB, batches of ${BATCH}`);
      await inRotation(round, runs.publish, publishSides);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      console.error(`round ${round}/${ROUNDS}: consuming ${EVENTS} events`);
      await inRotation(round, runs.consume, consumeSides);
    }

    printTable(
      `Kafka, ${EVENTS} events of ~1 KiB, ${PARTITIONS} partitions, ${ROUNDS} rounds`,
      rawSide("kafkajs"),
      runs,
    );
  } finally {
    const topics = [...Object.values(raw), ...Object.values(projects).map((p) => p.topic)];
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    for (const { dir } of Object.values(projects)) rmSync(dir, { recursive: true, force: true });
  }
}

const roles = {
  "publish-generated": (dir) => publishGenerated(dir, { KAFKA_BROKERS: BROKERS.join(",") }, BATCH),
  "publish-raw-kafkajs": publishRawKafkajs,
  "publish-raw-platformatic": publishRawPlatformatic,
  "consume-raw-kafkajs": consumeRawKafkajs,
  "consume-raw-platformatic": consumeRawPlatformatic,
};
await runRoleOr(roles, orchestrate);
