// A consuming process for the crash and shutdown tests: runs the RabbitMQ transport with the real
// pipeline for the consumer "worker" of a test service, prints "ready" once subscribed and
// "handled <event id>" per handled event; on SIGTERM it stops and closes, and must then exit by
// itself (a leaked timer or socket would keep it alive).
//   EVGEN_TEST_SERVICE      service name (exchange and queues derive from it)
//   EVGEN_TEST_DELAY_MS     time each handler takes (default 2)
//   EVGEN_TEST_IDEMPOTENCY  none (default) | postgres
import { setTimeout as sleep } from "node:timers/promises";
import { createPostgresStore } from "../../templates/runtime/idempotency-postgres.js";
import { createLogger } from "../../templates/runtime/logger.js";
import { createPipeline } from "../../templates/runtime/pipeline.js";
import { createPublisher } from "../../templates/runtime/publisher.js";
import { createRabbitTransport } from "../../templates/runtime/rabbitmq.js";
import { AMQP_URL, DATABASE_URL } from "../support/brokers.js";
import { FAST_BACKOFF, rabbitService } from "./rabbitmq-support.js";

const name = process.env.EVGEN_TEST_SERVICE;
if (!name) throw new Error("EVGEN_TEST_SERVICE is required");
const delayMs = Number(process.env.EVGEN_TEST_DELAY_MS ?? 2);
const idempotency = process.env.EVGEN_TEST_IDEMPOTENCY === "postgres" ? "postgres" : "none";

const service = rabbitService({ worker: { on: ["order.created"], concurrency: 4, idempotency } }, { name });
const consumer = service.consumers.worker!;
// stdout carries the protocol; logs go to stderr.
const log = createLogger({ level: "warn", destination: process.stderr });
const store = idempotency === "postgres" ? createPostgresStore({ connectionString: DATABASE_URL, log }) : undefined;
const transport = createRabbitTransport({ service, url: AMQP_URL, log, backoff: FAST_BACKOFF });
const handle = createPipeline({
  service,
  consumer,
  handlers: {
    "order.created": async (event) => {
      await sleep(delayMs);
      process.stdout.write(`handled ${event.id}\n`);
    },
  },
  publisher: createPublisher(service, transport),
  ...(store ? { idempotency: store } : {}),
  log,
});

process.once("SIGTERM", () => {
  void transport.close().then(() => store?.close());
});
await transport.connect();
await transport.subscribe(consumer, handle);
process.stdout.write("ready\n");
