// An idempotency store whose server accepts connections and never answers: every store call is
// bounded, a consumer's attempt fails (retry, then dead letter) instead of waiting for ever,
// /readyz reports the store, and the service still stops.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryTransport, type MemoryTransport } from "../../templates/runtime/memory/transport.js";
import { createPostgresStore } from "../../templates/runtime/stores/idempotency-postgres.js";
import { createRedisStore } from "../../templates/runtime/stores/idempotency-redis.js";
import type { IdempotencyStore } from "../../templates/runtime/core/idempotency.js";
import { startService } from "../../templates/runtime/core/service.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { order, shopService } from "./fixtures.js";

/** A TCP server that takes every connection and never sends a byte. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const elapsed = async (work: () => Promise<unknown>) => {
  const started = Date.now();
  await work();
  return Date.now() - started;
};

let silent: Awaited<ReturnType<typeof silentServer>>;
beforeAll(async () => {
  silent = await silentServer();
});
afterAll(() => silent?.close());

describe.each([
  ["redis", () => createRedisStore({ url: `redis://127.0.0.1:${silent.port}`, timeoutMs: 300 })],
  [
    "postgres",
    () => createPostgresStore({ connectionString: `postgres://u@127.0.0.1:${silent.port}/db`, timeoutMs: 300 }),
  ],
] as const)("a %s store that never answers", (_name, open: () => IdempotencyStore) => {
  it("fails each call within its timeout, and closes", async () => {
    const store = open();
    const ref = { consumer: "shop.mailer", source: "/shop", id: "e-1", ttlMs: 60_000 };
    const failed = (call: Promise<unknown>) =>
      call.then(
        () => "answered",
        () => "failed",
      );
    let outcome = "";
    expect(await elapsed(async () => (outcome = await failed(store.seen(ref))))).toBeLessThan(3_000);
    expect(outcome).toBe("failed");
    expect(await elapsed(async () => (outcome = await failed(store.ping!())))).toBeLessThan(3_000);
    expect(outcome).toBe("failed");
    expect(await elapsed(() => store.close())).toBeLessThan(3_000);
  });
});

describe.each(["redis", "postgres"] as const)("a service whose %s store never answers", (kind) => {
  const service = shopService({
    mailer: { on: ["order.created"], idempotency: kind, retry: { delaysMs: [10] } },
  });
  const handled: string[] = [];

  it("retries, dead-letters the event as timed out, is not ready, and stops", async () => {
    let memory!: MemoryTransport;
    const handle = await startService({
      service,
      brokerConfig: kafkaConfig,
      env: {
        PORT: "0",
        EVGEN_TRANSPORT: "memory",
        LOG_LEVEL: "silent",
        IDEMPOTENCY_TIMEOUT_MS: "300",
        ...(kind === "redis"
          ? { REDIS_URL: `redis://127.0.0.1:${silent.port}` }
          : { DATABASE_URL: `postgres://u@127.0.0.1:${silent.port}/db` }),
      },
      createTransport: (_config, log) => (memory = createMemoryTransport({ service, log })),
      stores: { redis: createRedisStore, postgres: createPostgresStore },
      handlers: { mailer: { "order.created": (event) => void handled.push(event.id) } },
    });
    try {
      const ready = await fetch(`http://127.0.0.1:${handle.port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "not ready", waitingFor: [`idempotency store ${kind}`] });
      await handle.publisher.publish("order.created", order());
      await memory.idle();
      const [letter, ...more] = memory.deadLetters("mailer");
      expect(more).toEqual([]);
      // Bounded by the pipeline, or failed sooner by the client (a connect it gave up on).
      expect(letter!.failure).toMatchObject({ attempt: 2, message: expect.stringMatching(/^idempotency store: /) });
      expect(["timeout", "error"]).toContain(letter!.failure.kind);
      expect(handled).toEqual([]);
      const metrics = await (await fetch(`http://127.0.0.1:${handle.port}/metrics`)).text();
      const failures = [
        ...metrics.matchAll(/^evgen_events_failed_total\{type="order.created",consumer="mailer",kind="\w+"\} (\d+)$/gm),
      ];
      expect(failures.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(2);
    } finally {
      expect(await elapsed(() => handle.stop())).toBeLessThan(5_000);
    }
  });
});
