// What the worker processes of the crash and shutdown tests (test/runtime/*-worker.ts) have in
// common: the settings they read from the environment, a logger on stderr (stdout carries the
// protocol), and the real pipeline for the consumer "worker" of a test service, whose handler
// takes EVGEN_TEST_DELAY_MS and prints "handled <event id>"; "ready" once subscribed.
//   EVGEN_TEST_SERVICE      service name (its topics, or exchange and queues, derive from it)
//   EVGEN_TEST_DELAY_MS     time each handler takes (default 2)
//   EVGEN_TEST_IDEMPOTENCY  none (default) | postgres: skip events already handled, as recorded in PostgreSQL
import type { IdempotencyStore } from "../../templates/runtime/core/idempotency.js";
import { createLogger } from "../../templates/runtime/core/logger.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type { Logger, ServiceDef, Transport } from "../../templates/runtime/core/types.js";
import { sleep } from "./wait.js";

export interface WorkerSettings {
  /** The test service's name. */
  name: string;
  delayMs: number;
  idempotency: "postgres" | "none";
}

export function workerSettings(): WorkerSettings {
  const name = process.env.EVGEN_TEST_SERVICE;
  if (!name) throw new Error("EVGEN_TEST_SERVICE is required");
  return {
    name,
    delayMs: Number(process.env.EVGEN_TEST_DELAY_MS ?? 2),
    idempotency: process.env.EVGEN_TEST_IDEMPOTENCY === "postgres" ? "postgres" : "none",
  };
}

/** stdout carries the protocol; logs go to stderr. */
export const workerLogger = (): Logger => createLogger({ level: "warn", destination: process.stderr });

export interface WorkerOptions {
  service: ServiceDef;
  transport: Transport;
  idempotency: IdempotencyStore | undefined;
  delayMs: number;
  log: Logger;
  /** Calls transport.connect() before subscribing. */
  connect: boolean;
  onSigterm(): void;
}

/** Runs the consumer "worker" of `service` on the real pipeline; prints "ready" once subscribed. */
export async function runWorker({ service, transport, idempotency, delayMs, log, connect, onSigterm }: WorkerOptions) {
  const consumer = service.consumers.worker!;
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

  process.once("SIGTERM", onSigterm);
  if (connect) await transport.connect();
  await transport.subscribe(consumer, handle);
  process.stdout.write("ready\n");
}
