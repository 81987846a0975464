// Crash and shutdown safety of the Kafka transport, with the consumer in its own process
// (kafka-worker.ts): SIGKILL loses nothing, SIGTERM commits what it handled.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import { hasKafka, hasPostgres, KAFKA_BROKERS, uniqueName } from "../support/brokers.js";
import { KAFKA_CLIENTS, type KafkaClient } from "../support/kafka-clients.js";
import { order, type Payloads } from "./fixtures.js";
import { kafkaService, waitFor } from "./kafka-support.js";

const postgres = await hasPostgres();
const WORKER = fileURLToPath(new URL("./kafka-worker.ts", import.meta.url));
const workers: ChildProcess[] = [];

afterEach(() => {
  for (const child of workers.splice(0)) child.kill("SIGKILL");
});

interface Worker {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts a worker process on `client`; every event id it reports handled is counted in `handled`. */
function startWorker(
  client: KafkaClient,
  service: string,
  handled: Map<string, number>,
  env: Record<string, string> = {},
): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    env: { ...process.env, ...env, EVGEN_TEST_SERVICE: service, EVGEN_TEST_KAFKA_CLIENT: client.client },
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [word, id] = line.split(" ");
    if (word === "handled" && id) handled.set(id, (handled.get(id) ?? 0) + 1);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr };
}

/** Publishes `count` events for the service and returns their ids. */
async function publishEvents(client: KafkaClient, service: string, count: number): Promise<string[]> {
  const def = kafkaService({ worker: { on: ["order.created"] } }, service);
  const transport = client.createKafkaTransport({
    service: def,
    brokers: KAFKA_BROKERS,
    clientId: service,
    log: silentLogger,
  });
  const publisher = createPublisher<Payloads>(def, transport, { ownsTransport: true });
  try {
    return await publisher.publishBatch(
      Array.from({ length: count }, () => ({ type: "order.created" as const, data: order({ orderId: randomUUID() }) })),
    );
  } finally {
    await publisher.close();
  }
}

const progress = (worker: Worker, handled: Map<string, number>) => () =>
  `progress: ${handled.size} handled; worker stderr:\n${worker.stderr()}`;

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)("Kafka consumer process on $client", (client) => {
  it.skipIf(!postgres)(
    "loses no event when the consuming process is SIGKILLed twice mid-stream; PostgreSQL idempotency stops repeats",
    { timeout: 180_000 },
    async () => {
      const service = uniqueName("kill");
      const ids = await publishEvents(client, service, 2000);
      const handled = new Map<string, number>();
      const env = { EVGEN_TEST_IDEMPOTENCY: "postgres" };

      for (const killAfter of [400, 1100]) {
        const worker = startWorker(client, service, handled, env);
        await waitFor(() => handled.size >= killAfter, 60_000, progress(worker, handled));
        worker.child.kill("SIGKILL");
        expect((await worker.exited).signal).toBe("SIGKILL");
        expect(handled.size).toBeLessThan(ids.length);
      }
      const last = startWorker(client, service, handled, env);
      await waitFor(() => handled.size === ids.length, 90_000, progress(last, handled));
      last.child.kill("SIGTERM");
      expect((await last.exited).code).toBe(0);

      expect([...handled.keys()].sort()).toEqual([...ids].sort());
      // Without the store every handled but uncommitted event (up to a fetch batch) would run again.
      // Only an event killed between its handler's end and its mark can: at most one per kill.
      expect([...handled.values()].filter((count) => count > 1).length).toBeLessThanOrEqual(2);
    },
  );

  it("exits 0 on SIGTERM mid-stream and handles nothing twice after a restart", { timeout: 120_000 }, async () => {
    const service = uniqueName("term");
    const ids = await publishEvents(client, service, 1000);
    const handled = new Map<string, number>();

    const first = startWorker(client, service, handled);
    await waitFor(() => handled.size >= 300, 60_000, progress(first, handled));
    const signalledAt = Date.now();
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(handled.size).toBeLessThan(ids.length);

    const second = startWorker(client, service, handled);
    await waitFor(() => handled.size === ids.length, 60_000, progress(second, handled));
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    expect([...handled.keys()].sort()).toEqual([...ids].sort());
    expect([...handled.values()].filter((count) => count > 1)).toEqual([]);
  });
});
