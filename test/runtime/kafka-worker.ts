// A consuming process for the crash and shutdown tests: runs the Kafka transport with the real
// pipeline for one consumer of a test service, prints "handled <event id>" per handled event and
// "ready" once subscribed, and on SIGTERM stops cleanly and exits 0.
//   EVGEN_TEST_SERVICE   service name (its topics are derived from it, as in kafka-support.ts)
//   EVGEN_TEST_DELAY_MS  time each handler takes (default 2)
//   EVGEN_TEST_IDEMPOTENCY=postgres  skip events already handled, as recorded in PostgreSQL
import { createPostgresStore } from "../../templates/runtime/idempotency-postgres.js";
import { createKafkaTransport } from "../../templates/runtime/kafka.js";
import { createLogger } from "../../templates/runtime/logger.js";
import { createPipeline } from "../../templates/runtime/pipeline.js";
import { createPublisher } from "../../templates/runtime/publisher.js";
import { DATABASE_URL, KAFKA_BROKERS } from "../support/brokers.js";
import { kafkaService, sleep } from "./kafka-support.js";

// Broker's minimum: a killed worker's partitions move on after 6 s instead of 30 s.
const SESSION_TIMEOUT_MS = 6000;

const serviceName = process.env.EVGEN_TEST_SERVICE;
if (!serviceName) throw new Error("EVGEN_TEST_SERVICE is required");
const delayMs = Number(process.env.EVGEN_TEST_DELAY_MS ?? 2);

const service = kafkaService({ worker: { on: ["order.created"] } }, serviceName);
const consumer = service.consumers.worker!;
// stdout carries the protocol; logs go to stderr.
const log = createLogger({ level: "warn", destination: process.stderr });
const transport = createKafkaTransport({
  service,
  brokers: KAFKA_BROKERS,
  clientId: serviceName,
  log,
  sessionTimeoutMs: SESSION_TIMEOUT_MS,
});
const idempotency =
  process.env.EVGEN_TEST_IDEMPOTENCY === "postgres" ? createPostgresStore({ connectionString: DATABASE_URL, log }) : undefined;
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
  ...(idempotency ? { idempotency } : {}),
  log,
});

process.once("SIGTERM", () => {
  void transport
    .close()
    .then(() => idempotency?.close())
    .then(() => process.exit(0));
});
await transport.subscribe(consumer, handle);
process.stdout.write("ready\n");
