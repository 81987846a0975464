// Idempotency-Key and CloudEvent repeats across replicas: two services sharing the Redis or
// PostgreSQL store of their consumers answer a repeat sent to the other replica with the first id,
// publishing nothing (in-process services, memory transport, real Redis and PostgreSQL).
import { CloudEvent, HTTP } from "cloudevents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../templates/runtime/stores/idempotency-postgres.js";
import { createRedisStore } from "../../templates/runtime/stores/idempotency-redis.js";
import { createMemoryTransport, type MemoryTransport } from "../../templates/runtime/memory/transport.js";
import { startService, type ServiceHandle, type StoreFactories } from "../../templates/runtime/core/service.js";
import { DATABASE_URL, REDIS_URL, hasPostgres, hasRedis, uniqueName } from "../support/brokers.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { order, shopService } from "./fixtures.js";

const STORES = [
  { kind: "redis" as const, available: await hasRedis(), env: { REDIS_URL }, stores: { redis: createRedisStore } },
  {
    kind: "postgres" as const,
    available: await hasPostgres(),
    env: { DATABASE_URL },
    stores: { postgres: createPostgresStore },
  },
];

describe.each(STORES)("HTTP repeats remembered in $kind", ({ kind, available, env, stores }) => {
  // A service name of its own: its keys meet no other run's.
  const service = shopService({ mailer: { on: ["order.created"], idempotency: kind } }, uniqueName("http-idem"));
  const replicas: Array<{ handle: ServiceHandle; memory: MemoryTransport; url: string }> = [];

  beforeAll(async () => {
    if (!available) return;
    for (let i = 0; i < 2; i++) {
      let memory!: MemoryTransport;
      const handle = await startService({
        service,
        brokerConfig: kafkaConfig,
        env: { PORT: "0", EVGEN_TRANSPORT: "memory", LOG_LEVEL: "silent", ...env },
        createTransport: (_config, log) => (memory = createMemoryTransport({ service, log, timeScale: 0 })),
        handlers: { mailer: { "order.created": () => undefined } },
        stores: stores as StoreFactories,
      });
      replicas.push({ handle, memory, url: `http://127.0.0.1:${handle.port}` });
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map(({ handle }) => handle.stop()));
  });

  it.skipIf(!available)("answers a repeated Idempotency-Key sent to the other replica with the first id", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const headers = { "content-type": "application/json", "idempotency-key": `k-${Date.now()}` };
    const body = JSON.stringify(order());
    const first = await fetch(`${a.url}/events/order.created`, { method: "POST", headers, body });
    expect(first.status).toBe(202);
    const again = await fetch(`${b.url}/events/order.created`, { method: "POST", headers, body });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(b.memory.published()).toEqual([]);
  });

  it.skipIf(!available)("publishes a CloudEvent repeated to the other replica once", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const event = new CloudEvent<unknown>({
      id: `ce-${Date.now()}`,
      source: "/checkout",
      type: "order.created",
      data: order(),
    });
    const { headers, body } = HTTP.binary(event);
    const send = (url: string) =>
      fetch(`${url}/events/order.created`, {
        method: "POST",
        headers: headers as Record<string, string>,
        body: body as string,
      });
    expect((await send(a.url)).status).toBe(202);
    const published = b.memory.published().length;
    const again = await send(b.url);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(b.memory.published().length).toBe(published);
  });
});
