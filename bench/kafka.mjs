// npm run bench:kafka: a generated Kafka service's publisher and consumer against raw kafkajs with
// the same settings (idempotent producer, acks from all replicas, one request in flight, batches
// of the same size; manual commits per batch, partitions one at a time), on events of about 1 KiB.
// Prints events/s of each side (the best of a few rounds, run in turns, as other load on the
// machine only ever slows a round down), their ratio, and peak RSS. Each side runs alone in its own
// process. Needs the broker on 127.0.0.1:9092 (scripts/kafka.sh start) and a built evgen.
//   BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 2), KAFKA_BROKERS (default 127.0.0.1:9092)
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Kafka, Partitioners, logLevel } from "kafkajs";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BATCH = 500;
const PARTITIONS = 3;
const BROKERS = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NOTE = "x".repeat(900); // brings an event to about 1 KiB of JSON

const kafka = () => new Kafka({ clientId: "bench", brokers: BROKERS, logLevel: logLevel.NOTHING });
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const report = (result) => console.log(JSON.stringify({ bench: true, ...result, rssMB: peakRssMB() }));
const payload = (i) => ({ orderId: randomUUID(), userId: `user-${i}`, note: NOTE });

const spec = (service) => `evgen: 1
service: ${service}
broker: kafka
events:
  order.created:
    key: orderId
    topic: ${service}.orders
    schema: { orderId: uuid, userId: string, note: string }
consumers:
  bench:
    on: [order.created]
    idempotency: none   # raw kafkajs has no store either
`;

// The generated consumer's handler: counts, and reports once the last event is handled.
const HANDLER = `import { defineHandlers } from "../generated/consumers/bench.js";
const total = Number(process.env.BENCH_EVENTS);
let count = 0;
let first = 0;
export default defineHandlers({
  "order.created": () => {
    if (count === 0) first = performance.now();
    if (++count === total) {
      const maxRss = process.resourceUsage().maxRSS;
      console.log(JSON.stringify({ bench: true, events: count, ms: performance.now() - first, rssMB: Math.round(maxRss / 1024) }));
    }
  },
});
`;

// --- the roles, each run in a child process -----------------------------------------------------

async function publishGenerated(dir) {
  const { createPublisher } = await import(pathToFileURL(join(dir, "dist/generated/index.js")).href);
  const publisher = createPublisher({ env: { KAFKA_BROKERS: BROKERS.join(","), LOG_LEVEL: "warn" } });
  await publisher.publish("order.created", payload(-1)); // connects and creates the topic
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const n = Math.min(BATCH, EVENTS - i);
    await publisher.publishBatch(Array.from({ length: n }, (_, k) => ({ type: "order.created", data: payload(i + k) })));
  }
  report({ events: EVENTS, ms: performance.now() - started });
  await publisher.close();
}

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
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const n = Math.min(BATCH, EVENTS - i);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, k) => message(payload(i + k))) });
  }
  report({ events: EVENTS, ms: performance.now() - started });
  await producer.disconnect();
}

async function consumeRaw(topic) {
  const consumer = kafka().consumer({ groupId: `${topic}.raw-consumer`, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // Leave the group on the way out, so that the next round may reset its offsets.
  process.once("SIGTERM", () => void consumer.disconnect().then(() => process.exit(0)));
  let count = 0;
  let first = 0;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      for (const message of batch.messages) {
        if (count === 0) first = performance.now();
        JSON.parse(message.value.toString());
        resolveOffset(message.offset);
        await heartbeat();
        if (++count === EVENTS + 1) report({ events: count, ms: performance.now() - first });
      }
      const offset = (BigInt(batch.messages.at(-1).offset) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition: batch.partition, offset }] }] });
    },
  });
}

// --- the orchestrator ---------------------------------------------------------------------------

/** Runs a process until it prints its result line, then stops it and waits for it to exit. */
function measure(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], ...options });
    let buffered = "";
    let result;
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      result ??= lines.filter((line) => line.includes('"bench":true')).map((line) => JSON.parse(line))[0];
      if (result) child.kill("SIGTERM");
    });
    child.once("exit", (code) =>
      result ? resolve(result) : reject(new Error(`${args.join(" ")} exited ${code} without a result`)),
    );
  });
}

function generateProject(dir, service) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "evgen.yaml"), spec(service));
  execFileSync(process.execPath, [join(ROOT, "bin/evgen.js"), "generate"], { cwd: dir, stdio: "inherit" });
  writeFileSync(join(dir, "src/handlers/bench.ts"), HANDLER);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: dir, stdio: "inherit" });
}

const rate = (result) => Math.round(result.events / (result.ms / 1000));
const best = (results) => results.reduce((a, b) => (rate(b) > rate(a) ? b : a));
const peak = (results) => Math.max(...results.map((r) => r.rssMB));

async function orchestrate() {
  const service = `bench-${Date.now().toString(36)}`;
  const dir = join(ROOT, ".cache", "bench", service);
  const topic = `${service}.orders`;
  const rawTopic = `${service}.raw`;
  const admin = kafka().admin();
  await admin.connect();
  try {
    console.error(`generating ${dir}`);
    generateProject(dir, service);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: rawTopic, numPartitions: PARTITIONS }] });

    const self = fileURLToPath(import.meta.url);
    const env = { ...process.env, KAFKA_BROKERS: BROKERS.join(","), BENCH_EVENTS: String(EVENTS) };
    const runs = { publish: { generated: [], raw: [] }, consume: { generated: [], raw: [] } };
    for (let round = 1; round <= ROUNDS; round++) {
      console.error(`round ${round}/${ROUNDS}: publishing ${EVENTS} events of ~1 KiB, batches of ${BATCH}`);
      runs.publish.generated.push(await measure([self, "publish-generated", dir], { env }));
      runs.publish.raw.push(await measure([self, "publish-raw", rawTopic], { env }));
    }
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round reads the first EVENTS (+ the warm-up event) again, from the beginning.
      console.error(`round ${round}/${ROUNDS}: consuming ${EVENTS} events`);
      runs.consume.generated.push(
        await measure(["dist/generated/main.js"], {
          cwd: dir,
          env: { ...env, BENCH_EVENTS: String(EVENTS + 1), PORT: "0", EVGEN_CONSUMERS: "bench", LOG_LEVEL: "warn" },
        }),
      );
      await admin.resetOffsets({ groupId: `${service}.bench`, topic, earliest: true });
      runs.consume.raw.push(await measure([self, "consume-raw", rawTopic], { env }));
      await admin.resetOffsets({ groupId: `${rawTopic}.raw-consumer`, topic: rawTopic, earliest: true });
    }

    console.log(`\nKafka, ${EVENTS} events of ~1 KiB, ${PARTITIONS} partitions, best of ${ROUNDS} rounds`);
    console.log("            generated ev/s   raw kafkajs ev/s   ratio   peak RSS generated / raw");
    for (const [name, { generated, raw }] of Object.entries(runs)) {
      const ratio = (rate(best(generated)) / rate(best(raw))).toFixed(2);
      console.log(
        `${name.padEnd(10)}  ${String(rate(best(generated))).padStart(16)}   ${String(rate(best(raw))).padStart(16)}   ${ratio.padStart(5)}   ${peak(generated)} MB / ${peak(raw)} MB`,
      );
    }
  } finally {
    await admin.deleteTopics({ topics: [rawTopic, topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, arg] = process.argv.slice(2);
const roles = { "publish-generated": publishGenerated, "publish-raw": publishRaw, "consume-raw": consumeRaw };
if (role) await roles[role](arg);
else await orchestrate();
