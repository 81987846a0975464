// The state store in PostgreSQL: one row per document in `table` (created if missing). A change
// locks its rows (SELECT ... FOR UPDATE, keys in sorted order so that two changes never wait for
// each other) and writes in the same transaction.
import pg from "pg";
import type { Json, StateStore } from "./store.js";

export interface PostgresStateStoreOptions {
  connectionString: string;
  table: string;
  /** A query taking longer fails (default 5 s): the handler's attempt fails and is retried. */
  timeoutMs?: number;
}

export function createPostgresStateStore(
  options: PostgresStateStoreOptions,
): StateStore {
  const table = pg.escapeIdentifier(options.table);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 10,
    connectionTimeoutMillis: options.timeoutMs ?? 5000,
    query_timeout: options.timeoutMs ?? 5000,
  });
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  let created: Promise<unknown> | undefined;
  const ready = () =>
    (created ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${table} (
           namespace text NOT NULL, key text NOT NULL, value jsonb NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (namespace, key))`,
      )
      .catch((error: unknown) => {
        created = undefined; // two processes creating it at once: the next call tries again
        // 42P07 / 23505: another process created it at the same moment.
        if (
          !["42P07", "23505"].includes((error as { code?: string }).code ?? "")
        )
          throw error;
      }));

  return {
    async update(namespace, keys, change) {
      await ready();
      const sorted = [...new Set(keys)].sort();
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        // Absent keys get a placeholder row first, so that they are locked like the others.
        await client.query(
          `INSERT INTO ${table} (namespace, key, value)
           SELECT $1, k, 'null'::jsonb FROM unnest($2::text[]) AS k ORDER BY k
           ON CONFLICT DO NOTHING`,
          [namespace, sorted],
        );
        const rows = await client.query<{ key: string; value: Json }>(
          `SELECT key, value FROM ${table} WHERE namespace = $1 AND key = ANY($2) ORDER BY key FOR UPDATE`,
          [namespace, sorted],
        );
        const current: Record<string, Json | undefined> = {};
        for (const row of rows.rows)
          current[row.key] = row.value === null ? undefined : row.value;
        const { writes, result } = change(current);
        for (const [key, value] of Object.entries(writes)) {
          await client.query(
            `INSERT INTO ${table} (namespace, key, value) VALUES ($1, $2, $3::jsonb)
             ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [namespace, key, JSON.stringify(value)],
          );
        }
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async get(namespace, key) {
      await ready();
      const rows = await pool.query<{ value: Json }>(
        `SELECT value FROM ${table} WHERE namespace = $1 AND key = $2`,
        [namespace, key],
      );
      const value = rows.rows[0]?.value;
      return value === null ? undefined : value;
    },
    close: () => pool.end(),
  };
}
