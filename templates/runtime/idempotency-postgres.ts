// Idempotency in PostgreSQL: one row per handled event in `evgen_processed`, created if missing.
import pg from "pg";
import type { IdempotencyStore } from "./idempotency.js";
import type { Logger } from "./types.js";

export interface PostgresStoreOptions {
  connectionString: string;
  /** Table name (default "evgen_processed"). */
  table?: string;
  /** Connections in the pool (default 5). */
  poolSize?: number;
  log?: Logger;
  /** Connecting, or a query, that takes longer fails (default 5 s): a server that accepts and never answers. */
  timeoutMs?: number;
}

/** Errors two processes may get when they create the same table at the same moment. */
const ALREADY_CREATED = new Set(["42P07", "23505"]);

export function createPostgresStore(options: PostgresStoreOptions): IdempotencyStore {
  const table = pg.escapeIdentifier(options.table ?? "evgen_processed");
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 5,
    connectionTimeoutMillis: options.timeoutMs ?? 5000,
    query_timeout: options.timeoutMs ?? 5000,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", (error) =>
    options.log?.warn({ err: error.message }, "PostgreSQL connection lost"),
  );
  let created: Promise<void> | undefined;

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
      await ready();
      const result = await pool.query(
        `SELECT 1 FROM ${table} WHERE consumer = $1 AND source = $2 AND id = $3`,
        [ref.consumer, ref.source, ref.id],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async mark(ref) {
      await ready();
      await pool.query(
        `INSERT INTO ${table} (consumer, source, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [ref.consumer, ref.source, ref.id],
      );
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}
