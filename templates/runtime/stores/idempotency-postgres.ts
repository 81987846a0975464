// Idempotency in PostgreSQL: one row per handled event in `evgen_processed`, created if missing.
// A row counts for its consumer's ttl; older rows are ignored, and deleted in bounded batches by a
// periodic prune (docs/spec.md, idempotency).
import pg from "pg";
import type { IdempotencyStore, ProcessedRef } from "../core/idempotency.js";
import type { Logger } from "../core/types.js";

/** A consumer group and how long its rows count. */
export interface Retention {
  consumer: string;
  ttlMs: number;
}

export interface PostgresStoreOptions {
  connectionString: string;
  /** Table name (default "evgen_processed"). */
  table?: string;
  /** Connections in the pool (default 5). */
  poolSize?: number;
  log?: Logger;
  /** Connecting, or a query, that takes longer fails (default 5 s): a server that accepts and never answers. */
  timeoutMs?: number;
  /** The consumers whose expired rows are pruned (more are learnt from the events they mark). */
  retention?: Retention[];
  /** How often expired rows are pruned (default 10 minutes; 0: only when prune() is called). */
  pruneEveryMs?: number;
  /** Rows deleted per statement (default 1000), and statements per prune at most (default 100). */
  pruneBatch?: number;
  pruneMaxBatches?: number;
}

export interface PostgresStore extends IdempotencyStore {
  /** Deletes rows past their consumer's ttl, in batches, up to the bound; resolves with the count. */
  prune(): Promise<number>;
}

const DEFAULT_PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Errors two processes may get when they create the same table at the same moment: the relation
 * (42P07), its row type (42710, "type ... already exists"), or a catalog row (23505) the other made.
 */
const ALREADY_CREATED = new Set(["42P07", "42710", "23505"]);

export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const tableName = options.table ?? "evgen_processed";
  const table = pg.escapeIdentifier(tableName);
  const expiryIndex = pg.escapeIdentifier(`${tableName}_expiry`);
  const batch = options.pruneBatch ?? 1000;
  const maxBatches = options.pruneMaxBatches ?? 100;
  const retention = new Map((options.retention ?? []).map((r) => [r.consumer, r.ttlMs]));
  const learn = (ref: ProcessedRef) => retention.set(ref.consumer, ref.ttlMs);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 5,
    connectionTimeoutMillis: options.timeoutMs ?? 5000,
    query_timeout: options.timeoutMs ?? 5000,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", (error) => options.log?.warn({ err: error.message }, "PostgreSQL connection lost"));
  let created: Promise<void> | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;
  let pruning: Promise<number> | undefined;

  /** One statement deletes at most `batch` expired rows of one consumer. */
  async function pruneBatch(consumer: string, ttlMs: number): Promise<number> {
    const result = await pool.query(
      `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${table}
         WHERE consumer = $1 AND processed_at <= now() - $2 * interval '1 millisecond'
         LIMIT $3))`,
      [consumer, ttlMs, batch],
    );
    return result.rowCount ?? 0;
  }

  async function pruneAll(): Promise<number> {
    await ready();
    let deleted = 0;
    let statements = 0;
    for (const [consumer, ttlMs] of retention) {
      // Until a batch comes back short, within the bound shared by every consumer of this round.
      for (let rows = batch; rows === batch && statements < maxBatches && !closing; statements++) {
        rows = await pruneBatch(consumer, ttlMs);
        deleted += rows;
      }
    }
    return deleted;
  }

  function prune(): Promise<number> {
    pruning ??= pruneAll().finally(() => (pruning = undefined));
    return pruning;
  }

  const pruneEveryMs = options.pruneEveryMs ?? DEFAULT_PRUNE_EVERY_MS;
  const timer =
    pruneEveryMs > 0
      ? setInterval(() => {
          prune().catch((error: unknown) =>
            options.log?.warn({ err: (error as Error).message }, "could not prune expired idempotency rows"),
          );
        }, pruneEveryMs).unref()
      : undefined;

  const ready = () =>
    (created ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${table} (
          consumer text NOT NULL,
          source text NOT NULL,
          id text NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, source, id)
        )`,
      )
      // Finds the expired rows of a consumer without reading the others (a table from before
      // retention gets it too).
      .then(() => pool.query(`CREATE INDEX IF NOT EXISTS ${expiryIndex} ON ${table} (consumer, processed_at)`))
      .then(
        () => undefined,
        (error: { code?: string }) => {
          if (ALREADY_CREATED.has(error.code ?? "")) return;
          created = undefined; // try again on the next call
          throw error;
        },
      ));

  return {
    async seen(ref) {
      learn(ref);
      await ready();
      // A row past its ttl that the prune has not reached yet no longer counts.
      const result = await pool.query(
        `SELECT 1 FROM ${table} WHERE consumer = $1 AND source = $2 AND id = $3
          AND processed_at > now() - $4 * interval '1 millisecond'`,
        [ref.consumer, ref.source, ref.id, ref.ttlMs],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async mark(ref) {
      learn(ref);
      await ready();
      // An expired row not pruned yet is renewed rather than kept with its old time.
      await pool.query(
        `INSERT INTO ${table} (consumer, source, id) VALUES ($1, $2, $3)
          ON CONFLICT (consumer, source, id) DO UPDATE SET processed_at = now()
          WHERE ${table}.processed_at <= now() - $4 * interval '1 millisecond'`,
        [ref.consumer, ref.source, ref.id, ref.ttlMs],
      );
    },
    prune,
    async ping() {
      await pool.query("SELECT 1");
    },
    close() {
      // Lets a prune round finish its statement; safe to call twice.
      closed ??= (async () => {
        closing = true;
        clearInterval(timer);
        await pruning?.catch(() => undefined);
        await pool.end();
      })();
      return closed;
    },
  };
}
