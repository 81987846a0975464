// npm run bench:rabbitmq: a generated RabbitMQ service's publisher and consumer against raw
// amqplib with the same settings (quorum queues, persistent mandatory messages with the same
// headers, publisher confirms with batches of the same size as the confirm window; the same
// prefetch and one ack per message), on events of about 1 KiB. Prints events/s of each side (the
// best of a few rounds, run in turns, as other load on the machine only ever slows a round down),
// their ratio, and peak RSS. Each side runs alone in its own process. Needs RabbitMQ on AMQP_URL
// and a built evgen.
//   BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 2), AMQP_URL (default amqp://guest:guest@127.0.0.1:5672)
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { connect } from "amqplib";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BATCH = 500; // = the generated transport's default confirm window
const PREFETCH = 50;
const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NOTE = "x".repeat(900); // brings an event to about 1 KiB of JSON

const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const report = (result) => console.log(JSON.stringify({ bench: true, ...result, rssMB: peakRssMB() }));
const payload = (i) => ({ orderId: randomUUID(), userId: `user-${i}`, note: NOTE });
const raw = (service) => ({ exchange: `${service}.raw-events`, queue: `${service}.raw` });

const spec = (service) => `evgen: 1
service: ${service}
broker: rabbitmq
rabbitmq:
  prefetch: ${PREFETCH}
events:
  order.created:
    schema: { orderId: uuid, userId: string, note: string }
consumers:
  bench:
    on: [order.created]
    idempotency: none   # raw amqplib has no store either
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
  const publisher = createPublisher({ env: { AMQP_URL, LOG_LEVEL: "warn" } });
  await publisher.publish("order.created", payload(-1)); // connects
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const n = Math.min(BATCH, EVENTS - i);
    await publisher.publishBatch(
      Array.from({ length: n }, (_, k) => ({ type: "order.created", data: payload(i + k) })),
    );
  }
  report({ events: EVENTS, ms: performance.now() - started });
  await publisher.close();
}

async function publishRaw(service) {
  const { exchange } = raw(service);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  channel.on("return", (message) => {
    throw new Error(`unroutable: ${message.fields.routingKey}`);
  });
  /** Publishes one event; `accepted` false means: wait for "drain" before the next. */
  const publish = (data) => {
    const id = randomUUID();
    const time = new Date();
    let accepted = true;
    const confirmed = new Promise((resolve, reject) => {
      accepted = channel.publish(
        exchange,
        "order.created",
        Buffer.from(JSON.stringify(data)),
        {
          persistent: true,
          mandatory: true,
          contentType: "application/json",
          messageId: id,
          type: "order.created",
          timestamp: Math.floor(time.getTime() / 1000),
          appId: service,
          headers: {
            cloudEvents_id: id,
            cloudEvents_type: "order.created",
            cloudEvents_source: `/${service}`,
            cloudEvents_specversion: "1.0",
            cloudEvents_time: time.toISOString(),
            cloudEvents_dataversion: "1",
          },
        },
        (err) => (err ? reject(err) : resolve()),
      );
    });
    return { accepted, confirmed };
  };
  await publish(payload(-1)).confirmed;
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const confirms = [];
    for (let k = 0; k < Math.min(BATCH, EVENTS - i); k++) {
      const { accepted, confirmed } = publish(payload(i + k));
      confirms.push(confirmed);
      if (!accepted) await once(channel, "drain");
    }
    await Promise.all(confirms);
  }
  report({ events: EVENTS, ms: performance.now() - started });
  await connection.close();
}

async function consumeRaw(service) {
  const { queue } = raw(service);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createChannel();
  await channel.prefetch(PREFETCH);
  process.once("SIGTERM", () => void connection.close().then(() => process.exit(0)));
  let count = 0;
  let first = 0;
  await channel.consume(queue, (message) => {
    if (count === 0) first = performance.now();
    JSON.parse(message.content.toString());
    channel.ack(message);
    if (++count === EVENTS + 1) report({ events: count, ms: performance.now() - first });
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

/** The raw side's exchange and queue, declared as the generated transport declares its own. */
async function declareRaw(channel, service) {
  const { exchange, queue } = raw(service);
  await channel.assertExchange(exchange, "topic", { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
  await channel.bindQueue(queue, exchange, "order.created");
}

const rate = (result) => Math.round(result.events / (result.ms / 1000));
const best = (results) => results.reduce((a, b) => (rate(b) > rate(a) ? b : a));
const peak = (results) => Math.max(...results.map((r) => r.rssMB));

async function orchestrate() {
  const service = `bench-${Date.now().toString(36)}`;
  const dir = join(ROOT, ".cache", "bench", service);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createChannel();
  let consumer;
  try {
    console.error(`generating ${dir}`);
    generateProject(dir, service);
    // The generated publisher declares its service's queues; their names, for the clean-up:
    ({
      consumers: { bench: consumer },
    } = (await import(pathToFileURL(join(dir, "dist/generated/service-def.js")).href)).serviceDef);
    await declareRaw(channel, service);

    const self = fileURLToPath(import.meta.url);
    const env = { ...process.env, AMQP_URL, BENCH_EVENTS: String(EVENTS) };
    const consumeGenerated = () =>
      measure(["dist/generated/main.js"], {
        cwd: dir,
        env: { ...env, BENCH_EVENTS: String(EVENTS + 1), PORT: "0", EVGEN_CONSUMERS: "bench", LOG_LEVEL: "warn" },
      });
    const runs = { publish: { generated: [], raw: [] }, consume: { generated: [], raw: [] } };
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round fills both queues with EVENTS (+ a warm-up event), then drains them.
      console.error(
        `round ${round}/${ROUNDS}: publishing ${EVENTS} events of ~1 KiB, confirmed in batches of ${BATCH}`,
      );
      runs.publish.generated.push(await measure([self, "publish-generated", dir], { env }));
      runs.publish.raw.push(await measure([self, "publish-raw", service], { env }));
      console.error(`round ${round}/${ROUNDS}: consuming ${EVENTS} events, prefetch ${PREFETCH}`);
      runs.consume.generated.push(await consumeGenerated());
      runs.consume.raw.push(await measure([self, "consume-raw", service], { env }));
    }

    console.log(`\nRabbitMQ, ${EVENTS} events of ~1 KiB, quorum queues, best of ${ROUNDS} rounds`);
    console.log("            generated ev/s   raw amqplib ev/s   ratio   peak RSS generated / raw");
    for (const [name, { generated, raw: rawRuns }] of Object.entries(runs)) {
      const ratio = (rate(best(generated)) / rate(best(rawRuns))).toFixed(2);
      console.log(
        `${name.padEnd(10)}  ${String(rate(best(generated))).padStart(16)}   ${String(rate(best(rawRuns))).padStart(16)}   ${ratio.padStart(5)}   ${peak(generated)} MB / ${peak(rawRuns)} MB`,
      );
    }
  } finally {
    const queues = consumer ? [consumer.group, ...consumer.retryQueues, consumer.deadLetterQueue] : [];
    for (const queue of [...queues, raw(service).queue]) await channel.deleteQueue(queue);
    await channel.deleteExchange(`${service}.events`);
    await channel.deleteExchange(raw(service).exchange);
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, arg] = process.argv.slice(2);
const roles = { "publish-generated": publishGenerated, "publish-raw": publishRaw, "consume-raw": consumeRaw };
if (role) await roles[role](arg);
else await orchestrate();
