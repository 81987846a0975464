// A consuming process for the crash and shutdown tests: runs the RabbitMQ transport with the real
// pipeline for the consumer "worker" of a test service (test/support/worker.ts: its settings and
// protocol); on SIGTERM it stops and closes, and must then exit by itself (a leaked timer or socket
// would keep it alive).
import { createPostgresStore } from "../../templates/runtime/stores/idempotency-postgres.js";
import { createRabbitTransport } from "../../templates/runtime/rabbitmq/transport.js";
import { AMQP_URL, DATABASE_URL } from "../support/brokers.js";
import { runWorker, workerLogger, workerSettings } from "../support/worker.js";
import { FAST_BACKOFF, rabbitService } from "./rabbitmq-support.js";

const { name, delayMs, idempotency } = workerSettings();

const service = rabbitService({ worker: { on: ["order.created"], concurrency: 4, idempotency } }, { name });
const log = workerLogger();
const store = idempotency === "postgres" ? createPostgresStore({ connectionString: DATABASE_URL, log }) : undefined;
const transport = createRabbitTransport({ service, url: AMQP_URL, log, backoff: FAST_BACKOFF });

await runWorker({
  service,
  transport,
  idempotency: store,
  delayMs,
  log,
  connect: true,
  onSigterm: () => {
    void transport.close().then(() => store?.close());
  },
});
