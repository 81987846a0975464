// Crash and shutdown safety of the RabbitMQ transport, with the consumer in its own process
// (rabbitmq-worker.ts): SIGKILL loses nothing, SIGTERM acks what it handled and exits by itself.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DATABASE_URL, hasPostgres, hasRabbit, uniqueName } from "../support/brokers.js";
import { order } from "./fixtures.js";
import { openAdmin, rabbitService, runRabbit, type RabbitAdmin } from "./rabbitmq-support.js";

const withPostgres = await hasPostgres();
const WORKER = fileURLToPath(new URL("./rabbitmq-worker.ts", import.meta.url));
const workers: ChildProcess[] = [];

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts a worker process; every event id it reports handled is counted in `handled`. */
function startWorker(service: string, handled: Map<string, number>, env: Record<string, string> = {}): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    env: { ...process.env, EVGEN_TEST_SERVICE: service, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [word, id] = line.split(" ");
    if (word === "ready") markReady();
    if (word === "handled" && id) handled.set(id, (handled.get(id) ?? 0) + 1);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, ready, exited, stderr: () => stderr };
}

const untilHandled = (worker: Worker, handled: Map<string, number>, count: number, timeout = 60_000) =>
  vi.waitFor(
    () => {
      if (handled.size < count)
        throw new Error(`${handled.size} of ${count} handled; worker stderr:\n${worker.stderr()}`);
    },
    { timeout, interval: 20 },
  );

describe.skipIf(!(await hasRabbit()))("RabbitMQ consumer process", () => {
  let admin: RabbitAdmin;
  const services: string[] = [];

  beforeAll(async () => {
    admin = await openAdmin();
  });
  afterEach(async () => {
    for (const child of workers.splice(0)) child.kill("SIGKILL");
    for (const name of services.splice(0))
      await admin.remove(rabbitService({ worker: { on: ["order.created"] } }, { name }));
  });
  afterAll(async () => {
    await admin?.close();
  });

  /** A fresh service name, its queues removed after the test. */
  function newService(prefix: string): string {
    const name = uniqueName(prefix);
    services.push(name);
    return name;
  }

  /** Publishes `count` events for the service (declaring its queues); returns their ids. */
  async function publishEvents(name: string, count: number): Promise<string[]> {
    const { publisher, close } = await runRabbit(rabbitService({ worker: { on: ["order.created"] } }, { name }), {});
    try {
      const ids: string[] = [];
      for (let sent = 0; sent < count; sent += 200) {
        const batch = Array.from({ length: Math.min(200, count - sent) }, () => ({
          type: "order.created" as const,
          data: order({ orderId: randomUUID() }),
        }));
        ids.push(...(await publisher.publishBatch(batch)));
      }
      return ids;
    } finally {
      await close();
    }
  }

  /** SIGKILLs a worker at each mark, restarts it, and returns once every event was handled. */
  async function killTwiceAndFinish(
    name: string,
    ids: string[],
    env: Record<string, string>,
  ): Promise<Map<string, number>> {
    const handled = new Map<string, number>();
    for (const killAt of [400, 1100]) {
      const worker = startWorker(name, handled, env);
      await untilHandled(worker, handled, killAt);
      worker.child.kill("SIGKILL");
      expect((await worker.exited).signal).toBe("SIGKILL");
      expect(handled.size).toBeLessThan(ids.length);
    }
    const last = startWorker(name, handled, env);
    await untilHandled(last, handled, ids.length, 90_000);
    last.child.kill("SIGTERM");
    expect((await last.exited).code).toBe(0);
    expect(await admin.depth(`${name}.worker`)).toBe(0);
    return handled;
  }

  it("loses no event when the consuming process is SIGKILLed twice mid-stream", { timeout: 180_000 }, async () => {
    const name = newService("kill");
    const ids = await publishEvents(name, 2000);

    const handled = await killTwiceAndFinish(name, ids, {});

    expect([...handled.keys()].sort()).toEqual([...ids].sort());
  });

  it.skipIf(!withPostgres)(
    "with postgres idempotency, a restarted consumer handles again at most what was in flight at the kill",
    { timeout: 180_000 },
    async () => {
      const name = newService("idem");
      const env = { EVGEN_TEST_IDEMPOTENCY: "postgres" };
      const ids = await publishEvents(name, 2000);

      const handled = await killTwiceAndFinish(name, ids, env);

      expect([...handled.keys()].sort()).toEqual([...ids].sort());
      // Only an event whose handler finished but whose mark was not yet stored can run twice:
      // at most `concurrency` (4) per kill. Without idempotency, up to `prefetch` (50) could.
      const twice = [...handled.values()].filter((count) => count > 1).length;
      expect(twice).toBeLessThanOrEqual(2 * 4);
      const db = new pg.Client({ connectionString: DATABASE_URL });
      await db.connect();
      await db.query("DELETE FROM evgen_processed WHERE consumer = $1", [`${name}.worker`]);
      await db.end();
    },
  );

  it(
    "exits by itself on SIGTERM mid-stream and handles nothing twice after a restart",
    { timeout: 120_000 },
    async () => {
      const name = newService("term");
      const handled = new Map<string, number>();
      const first = startWorker(name, handled, { EVGEN_TEST_DELAY_MS: "10" });
      await first.ready;
      const ids = await publishEvents(name, 1000);
      await untilHandled(first, handled, 300);

      const signalledAt = Date.now();
      first.child.kill("SIGTERM");
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(handled.size).toBeLessThan(ids.length);

      const second = startWorker(name, handled);
      await untilHandled(second, handled, ids.length);
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);

      expect([...handled.keys()].sort()).toEqual([...ids].sort());
      expect([...handled.values()].filter((count) => count > 1)).toEqual([]);
    },
  );
});
