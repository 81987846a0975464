// A consuming process for the crash and shutdown tests: runs a Kafka client's transport with the real
// pipeline for one consumer of a test service (test/support/worker.ts: its settings and protocol),
// and on SIGTERM stops cleanly and exits 0.
import { createPostgresStore } from "../../templates/runtime/stores/idempotency-postgres.js";
import { DATABASE_URL, KAFKA_BROKERS } from "../support/brokers.js";
import { kafkaClient } from "../support/kafka-clients.js";
import { runWorker, workerLogger, workerSettings } from "../support/worker.js";
import { kafkaService } from "./kafka-support.js";

// Broker's minimum: a killed worker's partitions move on after 6 s instead of 30 s.
const SESSION_TIMEOUT_MS = 6000;

const { name: serviceName, delayMs, idempotency: store } = workerSettings();

const service = kafkaService({ worker: { on: ["order.created"] } }, serviceName);
const log = workerLogger();
// EVGEN_TEST_KAFKA_CLIENT: the client whose transport runs (default kafkajs).
const transport = kafkaClient(process.env.EVGEN_TEST_KAFKA_CLIENT).createKafkaTransport({
  service,
  brokers: KAFKA_BROKERS,
  clientId: serviceName,
  log,
  sessionTimeoutMs: SESSION_TIMEOUT_MS,
});
const idempotency = store === "postgres" ? createPostgresStore({ connectionString: DATABASE_URL, log }) : undefined;

await runWorker({
  service,
  transport,
  idempotency,
  delayMs,
  log,
  connect: false,
  onSigterm: () => {
    void transport
      .close()
      .then(() => idempotency?.close())
      .then(() => process.exit(0));
  },
});
