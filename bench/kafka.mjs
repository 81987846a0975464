// npm run bench:kafka: a generated Kafka service's publisher and consumer against raw kafkajs with
// the same settings (idempotent producer, acks from all replicas, one request in flight, batches
// of the same size; manual commits per batch, partitions one at a time), on events of about 1 KiB.
// Each side runs alone in its own process, the two in turns within each round. Prints events/s of
// each side (the best round, as other load on the machine only ever slows a round down) and their
// ratio, the ratio within each round and its median, CPU time per event and peak RSS. Needs the
// broker on 127.0.0.1:9092 (scripts/kafka.sh start) and a built evgen.
//   BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 3), KAFKA_BROKERS (default 127.0.0.1:9092)
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, Partitioners, logLevel } from "kafkajs";
import { EVENTS, ROOT, ROUNDS, benchSpec, consumeGenerated, generateProject, inTurns, measure, payload, printResults, publishGenerated, report, runRoleOr, startClock } from "./support.mjs";

const BATCH = 500;
const PARTITIONS = 3;
const BROKERS = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

const kafka = () => new Kafka({ clientId: "bench", brokers: BROKERS, logLevel: logLevel.NOTHING });

const spec = (service) => benchSpec(service, "kafka", { event: `    key: orderId\n    topic: ${service}.orders\n` });

// --- the roles, each run in a child process -----------------------------------------------------

async function publishRaw(topic) {
  const producer = kafka().producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const message = (data) => ({
    key: data.orderId,
    value: JSON.stringify(data),
    headers: {
      ce_id: randomUUID(),
      ce_type: "order.created",
      ce_source: "/bench",
      ce_specversion: "1.0",
      ce_time: new Date().toISOString(),
      ce_dataversion: "1",
      "content-type": "application/json",
    },
  });
  await producer.send({ topic, acks: -1, messages: [message(payload(-1))] });
  const stop = startClock();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const n = Math.min(BATCH, EVENTS - i);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, k) => message(payload(i + k))) });
  }
  report(stop(EVENTS));
  await producer.disconnect();
}

async function consumeRaw(topic) {
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

// --- the orchestrator ---------------------------------------------------------------------------

async function orchestrate() {
  const service = `bench-${Date.now().toString(36)}`;
  const dir = join(ROOT, ".cache", "bench", service);
  const topic = `${service}.orders`;
  const rawTopic = `${service}.raw`;
  const admin = kafka().admin();
  await admin.connect();
  try {
    console.error(`generating ${dir}`);
    generateProject(dir, spec(service));
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: rawTopic, numPartitions: PARTITIONS }] });

    const self = fileURLToPath(import.meta.url);
    const env = { ...process.env, KAFKA_BROKERS: BROKERS.join(","), BENCH_EVENTS: String(EVENTS) };
    const runs = { publish: { generated: [], raw: [] }, consume: { generated: [], raw: [] } };
    for (let round = 1; round <= ROUNDS; round++) {
      console.error(`round ${round}/${ROUNDS}: publishing ${EVENTS} events of ~1 KiB, batches of ${BATCH}`);
      await inTurns(
        round,
        runs.publish,
        () => measure([self, "publish-generated", dir], { env }),
        () => measure([self, "publish-raw", rawTopic], { env }),
      );
    }
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round reads the first EVENTS (+ the warm-up event) again, from the beginning.
      console.error(`round ${round}/${ROUNDS}: consuming ${EVENTS} events`);
      await inTurns(
        round,
        runs.consume,
        async () => {
          const result = await consumeGenerated(dir, env);
          await admin.resetOffsets({ groupId: `${service}.bench`, topic, earliest: true });
          return result;
        },
        async () => {
          const result = await measure([self, "consume-raw", rawTopic], { env });
          await admin.resetOffsets({ groupId: `${rawTopic}.raw-consumer`, topic: rawTopic, earliest: true });
          return result;
        },
      );
    }

    printResults(
      `Kafka, ${EVENTS} events of ~1 KiB, ${PARTITIONS} partitions, ${ROUNDS} rounds`,
      "raw kafkajs ev/s",
      runs,
    );
  } finally {
    await admin.deleteTopics({ topics: [rawTopic, topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const roles = {
  "publish-generated": (dir) => publishGenerated(dir, { KAFKA_BROKERS: BROKERS.join(",") }, BATCH),
  "publish-raw": publishRaw,
  "consume-raw": consumeRaw,
};
await runRoleOr(roles, orchestrate);
