// The three idempotency stores pass the same contract; Redis and PostgreSQL run for real.
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryStore, type IdempotencyStore } from "../../templates/runtime/idempotency.js";
import { createPostgresStore } from "../../templates/runtime/idempotency-postgres.js";
import { createRedisStore } from "../../templates/runtime/idempotency-redis.js";
import { DATABASE_URL, REDIS_URL, hasPostgres, hasRedis, uniqueName } from "../support/brokers.js";

function storeContract(name: string, open: () => IdempotencyStore) {
  describe(`${name} idempotency store`, () => {
    const store = open();
    afterAll(() => store.close());

    it("remembers a marked event for its consumer only", async () => {
      const consumer = uniqueName("shop.mailer");
      const ref = { consumer, source: "/shop", id: uniqueName("evt") };
      expect(await store.seen(ref)).toBe(false);
      await store.mark(ref);
      expect(await store.seen(ref)).toBe(true);
      expect(await store.seen({ ...ref, consumer: `${consumer}-other` })).toBe(false);
      expect(await store.seen({ ...ref, source: "/billing" })).toBe(false);
    });

    it("accepts the same event being marked twice", async () => {
      const ref = { consumer: uniqueName("shop.audit"), source: "/shop", id: "42" };
      await store.mark(ref);
      await store.mark(ref);
      expect(await store.seen(ref)).toBe(true);
    });
  });
}

storeContract("memory", () => createMemoryStore());

describe("memory idempotency store bounds", () => {
  it("forgets the oldest entries beyond maxEntries", async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    const ref = (id: string) => ({ consumer: "c", source: "/s", id });
    for (const id of ["a", "b", "c"]) await store.mark(ref(id));
    expect([
      await store.seen(ref("a")),
      await store.seen(ref("b")),
      await store.seen(ref("c")),
    ]).toEqual([false, true, true]);
  });

  it("forgets entries older than the TTL", async () => {
    let now = 1_000;
    const store = createMemoryStore({ ttlMs: 100, now: () => now });
    const ref = { consumer: "c", source: "/s", id: "x" };
    await store.mark(ref);
    now += 99;
    expect(await store.seen(ref)).toBe(true);
    now += 1;
    expect(await store.seen(ref)).toBe(false);
  });
});

describe.skipIf(!(await hasRedis()))("redis store", () => {
  storeContract("redis", () => createRedisStore({ url: REDIS_URL }));

  it("keys entries by service and consumer, with the TTL set", async () => {
    const prefix = uniqueName("evgen-test");
    const store = createRedisStore({ url: REDIS_URL, prefix, ttlMs: 60_000 });
    const redis = new Redis(REDIS_URL);
    try {
      await store.mark({ consumer: "shop.mailer", source: "/shop", id: "e-1" });
      const key = `${prefix}:shop.mailer:/shop:e-1`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await redis.del(key);
    } finally {
      await store.close();
      await redis.quit();
    }
  });
});

describe.skipIf(!(await hasPostgres()))("postgres store", () => {
  storeContract("postgres", () => createPostgresStore({ connectionString: DATABASE_URL }));

  it("creates its table when missing, also when several processes start at once", async () => {
    const table = uniqueName("evgen_processed_test").replaceAll("-", "_");
    const stores = [1, 2, 3].map(() =>
      createPostgresStore({ connectionString: DATABASE_URL, table }),
    );
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await Promise.all(
        stores.map((store, i) =>
          store.mark({ consumer: "shop.audit", source: "/shop", id: `e-${i}` }),
        ),
      );
      const rows = await client.query(
        `SELECT consumer, source, id, processed_at FROM ${table} ORDER BY id`,
      );
      expect(rows.rows.map((r) => [r.consumer, r.source, r.id])).toEqual([
        ["shop.audit", "/shop", "e-0"],
        ["shop.audit", "/shop", "e-1"],
        ["shop.audit", "/shop", "e-2"],
      ]);
      expect(rows.rows[0].processed_at).toBeInstanceOf(Date);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });
});
