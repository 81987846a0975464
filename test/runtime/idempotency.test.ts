// The three idempotency stores pass the same contract; Redis and PostgreSQL run for real.
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createMemoryStore, type IdempotencyStore } from "../../templates/runtime/core/idempotency.js";
import { createPostgresStore, type PostgresStore } from "../../templates/runtime/stores/idempotency-postgres.js";
import { createRedisStore } from "../../templates/runtime/stores/idempotency-redis.js";
import { DATABASE_URL, REDIS_URL, hasPostgres, hasRedis, uniqueName } from "../support/brokers.js";
import { sleep } from "../support/wait.js";

const WEEK = 7 * 24 * 60 * 60 * 1000;

function storeContract(name: string, open: () => IdempotencyStore) {
  describe(`${name} idempotency store`, () => {
    const store = open();
    afterAll(() => store.close());

    it("remembers a marked event for its consumer only", async () => {
      const consumer = uniqueName("shop.mailer");
      const ref = { consumer, source: "/shop", id: uniqueName("evt"), ttlMs: WEEK };
      expect(await store.seen(ref)).toBe(false);
      await store.mark(ref);
      expect(await store.seen(ref)).toBe(true);
      expect(await store.seen({ ...ref, consumer: `${consumer}-other` })).toBe(false);
      expect(await store.seen({ ...ref, source: "/billing" })).toBe(false);
    });

    it("accepts the same event being marked twice", async () => {
      const ref = { consumer: uniqueName("shop.audit"), source: "/shop", id: "42", ttlMs: WEEK };
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
    const ref = (id: string) => ({ consumer: "c", source: "/s", id, ttlMs: WEEK });
    for (const id of ["a", "b", "c"]) await store.mark(ref(id));
    expect([await store.seen(ref("a")), await store.seen(ref("b")), await store.seen(ref("c"))]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("forgets entries older than their consumer's ttl", async () => {
    let now = 1_000;
    const store = createMemoryStore({ now: () => now });
    const ref = { consumer: "c", source: "/s", id: "x", ttlMs: 100 };
    await store.mark(ref);
    now += 99;
    expect(await store.seen(ref)).toBe(true);
    now += 1;
    expect(await store.seen(ref)).toBe(false);
  });
});

describe.skipIf(!(await hasRedis()))("redis store", () => {
  storeContract("redis", () => createRedisStore({ url: REDIS_URL }));

  it("keys entries by service and consumer, expiring after the consumer's ttl", async () => {
    const prefix = uniqueName("evgen-test");
    const store = createRedisStore({ url: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    try {
      await store.mark({ consumer: "shop.mailer", source: "/shop", id: "e-1", ttlMs: 60_000 });
      const key = `${prefix}:shop.mailer:/shop:e-1`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await redis.del(key);

      const brief = { consumer: "shop.mailer", source: "/shop", id: "e-2", ttlMs: 300 };
      await store.mark(brief);
      expect(await store.seen(brief)).toBe(true);
      await sleep(400);
      expect(await store.seen(brief)).toBe(false);
      expect(await redis.exists(`${prefix}:shop.mailer:/shop:e-2`)).toBe(0);
    } finally {
      await store.close();
      await redis.quit();
    }
  });
});

describe.skipIf(!(await hasPostgres()))("postgres store", () => {
  storeContract("postgres", () => createPostgresStore({ connectionString: DATABASE_URL }));

  // The race is lost in a few ways (relation, row type, catalog row), each in a few percent of
  // starts: many rounds make a missing one show.
  it("creates its table when missing, also when several processes start at once", async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      for (let round = 0; round < 30; round++) {
        const table = uniqueName("evgen_processed_test").replaceAll("-", "_");
        const stores = [1, 2, 3].map(() => createPostgresStore({ connectionString: DATABASE_URL, table }));
        try {
          await Promise.all(
            stores.map((store, i) =>
              store.mark({ consumer: "shop.audit", source: "/shop", id: `e-${i}`, ttlMs: WEEK }),
            ),
          );
          const rows = await client.query(`SELECT consumer, source, id, processed_at FROM ${table} ORDER BY id`);
          expect(rows.rows.map((r) => [r.consumer, r.source, r.id])).toEqual([
            ["shop.audit", "/shop", "e-0"],
            ["shop.audit", "/shop", "e-1"],
            ["shop.audit", "/shop", "e-2"],
          ]);
          expect(rows.rows[0].processed_at).toBeInstanceOf(Date);
        } finally {
          await Promise.all(stores.map((store) => store.close()));
          await client.query(`DROP TABLE IF EXISTS ${table}`);
        }
      }
    } finally {
      await client.end();
    }
  });
  describe("retention", () => {
    const table = uniqueName("evgen_retention_test").replaceAll("-", "_");
    const client = new pg.Client({ connectionString: DATABASE_URL });
    const stores: PostgresStore[] = [];
    const open = (options: Partial<Parameters<typeof createPostgresStore>[0]> = {}) => {
      const store = createPostgresStore({ connectionString: DATABASE_URL, table, pruneEveryMs: 0, ...options });
      stores.push(store);
      return store;
    };
    const count = async (consumer: string) =>
      Number((await client.query(`SELECT count(*) FROM ${table} WHERE consumer = $1`, [consumer])).rows[0].count);
    /** Rows handled `ageMs` ago, written directly. */
    const rows = (consumer: string, n: number, ageMs: number) =>
      client.query(
        `INSERT INTO ${table} (consumer, source, id, processed_at)
          SELECT $1::text, '/shop', $1::text || '-' || g || '-' || $4::text, now() - $3::bigint * interval '1 millisecond'
            FROM generate_series(1, $2::int) g`,
        [consumer, n, ageMs, uniqueName("r")],
      );

    beforeAll(async () => {
      await client.connect();
      await open().mark({ consumer: "setup", source: "/shop", id: "0", ttlMs: WEEK }); // creates the table
    });
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    });

    it("no longer counts a row past its consumer's ttl, and renews it when the event is marked again", async () => {
      const store = open();
      const ref = { consumer: "shop.brief", source: "/shop", id: "e-1", ttlMs: 300 };
      await store.mark(ref);
      expect(await store.seen(ref)).toBe(true);
      await sleep(400);
      expect(await store.seen(ref)).toBe(false);
      expect(await store.seen({ ...ref, ttlMs: WEEK })).toBe(true); // the row is still there, unpruned
      await store.mark(ref);
      expect(await store.seen(ref)).toBe(true);
    });

    it("prunes expired rows in bounded batches, sparing fresh rows and other consumers", async () => {
      const DAY = 24 * 60 * 60 * 1000;
      await rows("shop.mailer", 2500, 2 * DAY); // expired for a 1-day ttl
      await rows("shop.mailer", 10, 60_000); // fresh
      await rows("shop.ledger", 30, 2 * DAY); // within its 7-day ttl
      const retention = [
        { consumer: "shop.mailer", ttlMs: DAY },
        { consumer: "shop.ledger", ttlMs: WEEK },
      ];
      const bounded = open({ retention, pruneBatch: 1000, pruneMaxBatches: 2 });

      expect(await bounded.prune()).toBe(2000); // two statements, then it stops
      expect(await count("shop.mailer")).toBe(510);
      expect(await bounded.prune()).toBe(500); // a short batch: done
      expect(await bounded.prune()).toBe(0);
      expect([await count("shop.mailer"), await count("shop.ledger")]).toEqual([10, 30]);
    });

    it("prunes on its own every pruneEveryMs, for the consumers it is told of or sees", async () => {
      await rows("shop.periodic", 20, 60_000);
      await rows("shop.learnt", 5, 60_000);
      const store = open({ retention: [{ consumer: "shop.periodic", ttlMs: 1000 }], pruneEveryMs: 200 });
      await store.seen({ consumer: "shop.learnt", source: "/shop", id: "x", ttlMs: 1000 });
      await vi.waitFor(async () => expect([await count("shop.periodic"), await count("shop.learnt")]).toEqual([0, 0]), {
        timeout: 5_000,
        interval: 100,
      });
      await store.close();
      await rows("shop.periodic", 3, 60_000);
      await sleep(500);
      expect(await count("shop.periodic")).toBe(3); // closed: no more rounds
    });
  });
});
