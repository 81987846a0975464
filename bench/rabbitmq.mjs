// npm run bench:rabbitmq: a generated RabbitMQ service's publisher and consumer against raw
// amqplib with the same settings (quorum queues, persistent mandatory messages with the same
// headers, publisher confirms with batches of the same size as the confirm window; the same
// prefetch and one ack per message), on events of about 1 KiB. Each side runs alone in its own
// process, the two in turns within each round. Prints events/s of each side (the best round, as
// other load on the machine only ever slows a round down) and their ratio, the ratio within each
// round and its median, CPU time per event and peak RSS. Needs RabbitMQ on AMQP_URL and a built
// evgen.
//   BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 3), AMQP_URL (default amqp://guest:guest@127.0.0.1:5672)
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { connect } from "amqplib";
import {
  EVENTS,
  ROOT,
  ROUNDS,
  benchSpec,
  consumeGenerated,
  generateProject,
  inTurns,
  measure,
  payload,
  printResults,
  publishGenerated,
  report,
  runRoleOr,
  startClock,
} from "./support.mjs";

const BATCH = 500; // = the generated transport's default confirm window
const PREFETCH = 50;
const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

const raw = (service) => ({ exchange: `${service}.raw-events`, queue: `${service}.raw` });

const spec = (service) => benchSpec(service, "rabbitmq", { root: `rabbitmq:\n  prefetch: ${PREFETCH}\n` });

// --- the roles, each run in a child process -----------------------------------------------------

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
  const stop = startClock();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const confirms = [];
    for (let k = 0; k < Math.min(BATCH, EVENTS - i); k++) {
      const { accepted, confirmed } = publish(payload(i + k));
      confirms.push(confirmed);
      if (!accepted) await once(channel, "drain");
    }
    await Promise.all(confirms);
  }
  report(stop(EVENTS));
  await connection.close();
}

async function consumeRaw(service) {
  const { queue } = raw(service);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createChannel();
  await channel.prefetch(PREFETCH);
  process.once("SIGTERM", () => void connection.close().then(() => process.exit(0)));
  let count = 0;
  let stop;
  await channel.consume(queue, (message) => {
    if (count === 0) stop = startClock();
    JSON.parse(message.content.toString());
    channel.ack(message);
    if (++count === EVENTS + 1) report(stop(count));
  });
}

// --- the orchestrator ---------------------------------------------------------------------------

/** The raw side's exchange and queue, declared as the generated transport declares its own. */
async function declareRaw(channel, service) {
  const { exchange, queue } = raw(service);
  await channel.assertExchange(exchange, "topic", { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
  await channel.bindQueue(queue, exchange, "order.created");
}

async function orchestrate() {
  const service = `bench-${Date.now().toString(36)}`;
  const dir = join(ROOT, ".cache", "bench", service);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createChannel();
  let consumer;
  try {
    console.error(`generating ${dir}`);
    generateProject(dir, spec(service));
    // The generated publisher declares its service's queues; their names, for the clean-up:
    ({
      consumers: { bench: consumer },
    } = (await import(pathToFileURL(join(dir, "dist/generated/service-def.js")).href)).serviceDef);
    await declareRaw(channel, service);

    const self = fileURLToPath(import.meta.url);
    const env = { ...process.env, AMQP_URL, BENCH_EVENTS: String(EVENTS) };
    const runs = { publish: { generated: [], raw: [] }, consume: { generated: [], raw: [] } };
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round fills both queues with EVENTS (+ a warm-up event), then drains them.
      console.error(
        `round ${round}/${ROUNDS}: publishing ${EVENTS} events of ~1 KiB, confirmed in batches of ${BATCH}`,
      );
      await inTurns(
        round,
        runs.publish,
        () => measure([self, "publish-generated", dir], { env }),
        () => measure([self, "publish-raw", service], { env }),
      );
      console.error(`round ${round}/${ROUNDS}: consuming ${EVENTS} events, prefetch ${PREFETCH}`);
      await inTurns(
        round,
        runs.consume,
        () => consumeGenerated(dir, env),
        () => measure([self, "consume-raw", service], { env }),
      );
    }

    printResults(`RabbitMQ, ${EVENTS} events of ~1 KiB, quorum queues, ${ROUNDS} rounds`, "raw amqplib ev/s", runs);
  } finally {
    const queues = consumer ? [consumer.group, ...consumer.retryQueues, consumer.deadLetterQueue] : [];
    for (const queue of [...queues, raw(service).queue]) await channel.deleteQueue(queue);
    await channel.deleteExchange(`${service}.events`);
    await channel.deleteExchange(raw(service).exchange);
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const roles = {
  "publish-generated": (dir) => publishGenerated(dir, { AMQP_URL }, BATCH),
  "publish-raw": publishRaw,
  "consume-raw": consumeRaw,
};
await runRoleOr(roles, orchestrate);
