// Window state in PostgreSQL (docs/spec.md, windowed aggregation): one row per window in
// `evgen_windows`, one per event added in `evgen_window_events`, both created if missing. An add is
// one transaction holding the window's row lock: the event's row and the new state commit together.
// Closed windows keep their row (without state) for a day, then a bounded prune deletes them.
import pg from "pg";
import type { Logger } from "../core/types.js";
import type { WindowState } from "../core/window.js";
import { CLOSED_WINDOW_TTL_MS, type ClaimedWindow, type WindowStore } from "../core/window-store.js";

export interface PostgresWindowStoreOptions {
  connectionString: string;
  /** Table names (default "evgen_windows" and "<windows>_events"). */
  table?: string;
  /** Connections in the pool (default 5). */
  poolSize?: number;
  log?: Logger;
  /** Connecting, or a query, that takes longer fails (default 5 s). */
  timeoutMs?: number;
}

/**
 * Errors two processes may get when they create the same table at the same moment: the relation
 * (42P07), its row type (42710, "type ... already exists"), or a catalog row (23505) the other made.
 */
const ALREADY_CREATED = new Set(["42P07", "42710", "23505"]);
const PRUNE_EVERY_MS = 10 * 60 * 1000;
const PRUNE_BATCH = 1000;

interface WindowRow {
  key: string;
  window_start: string;
  window_end: string;
  closes_at: string;
  state: string;
  events: number;
}

export function createPostgresWindowStore(options: PostgresWindowStoreOptions): WindowStore {
  const name = options.table ?? "evgen_windows";
  const windows = pg.escapeIdentifier(name);
  const events = pg.escapeIdentifier(`${name}_events`);
  const dueIndex = pg.escapeIdentifier(`${name}_due`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 5,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  pool.on("error", (error) => options.log?.warn({ err: error.message }, "PostgreSQL connection lost"));
  let created: Promise<void> | undefined;
  let prunedAt = 0;

  const ready = () =>
    (created ??= (async () => {
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${windows} (
          consumer text NOT NULL,
          key text NOT NULL,
          window_start bigint NOT NULL,
          window_end bigint NOT NULL,
          closes_at bigint NOT NULL,
          state text NOT NULL,
          events integer NOT NULL DEFAULT 0,
          closing boolean NOT NULL DEFAULT false,
          closed boolean NOT NULL DEFAULT false,
          lease_owner text,
          lease_until bigint,
          PRIMARY KEY (consumer, key, window_start)
        )`,
      );
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${events} (
          consumer text NOT NULL,
          key text NOT NULL,
          window_start bigint NOT NULL,
          source text NOT NULL,
          id text NOT NULL,
          PRIMARY KEY (consumer, key, window_start, source, id)
        )`,
      );
      await pool.query(`CREATE INDEX IF NOT EXISTS ${dueIndex} ON ${windows} (consumer, closed, closes_at)`);
    })().catch((error: { code?: string }) => {
      if (ALREADY_CREATED.has(error.code ?? "")) return;
      created = undefined; // try again on the next call
      throw error;
    }));

  /** Deletes rows of windows closed more than a day ago, one bounded batch at a time. */
  async function prune(consumer: string, now: number): Promise<void> {
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    await pool.query(
      `DELETE FROM ${windows} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${windows} WHERE consumer = $1 AND closed AND closes_at <= $2 LIMIT $3))`,
      [consumer, now - CLOSED_WINDOW_TTL_MS, PRUNE_BATCH],
    );
  }

  return {
    async add(ref, event, fold) {
      await ready();
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const at = [ref.consumer, ref.key, ref.start];
        await client.query(
          `INSERT INTO ${windows} (consumer, key, window_start, window_end, closes_at, state)
            VALUES ($1, $2, $3, $4, $5, 'null') ON CONFLICT DO NOTHING`,
          [...at, ref.end, ref.closesAt],
        );
        const row = await client.query<{ state: string; events: number; closing: boolean; closed: boolean }>(
          `SELECT state, events, closing, closed FROM ${windows}
            WHERE consumer = $1 AND key = $2 AND window_start = $3 FOR UPDATE`,
          at,
        );
        const window = row.rows[0]!;
        if (window.closing || window.closed) {
          await client.query("ROLLBACK");
          return "closed";
        }
        const marked = await client.query(
          `INSERT INTO ${events} (consumer, key, window_start, source, id) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING`,
          [...at, event.source, event.id],
        );
        if (marked.rowCount === 0) {
          await client.query("ROLLBACK");
          return "duplicate";
        }
        const state = fold(window.events === 0 ? undefined : (JSON.parse(window.state) as WindowState));
        await client.query(
          `UPDATE ${windows} SET state = $4, events = events + 1
            WHERE consumer = $1 AND key = $2 AND window_start = $3`,
          [...at, JSON.stringify(state)],
        );
        await client.query("COMMIT");
        return "added";
      } catch (error) {
        await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: it is closed, not reused.
        client.release(broken);
      }
    },
    async claimDue(consumer, now, owner, leaseMs, limit) {
      await ready();
      await prune(consumer, now).catch((error: Error) =>
        options.log?.warn({ err: error.message }, "could not prune closed windows"),
      );
      const result = await pool.query<WindowRow>(
        `UPDATE ${windows} SET closing = true, lease_owner = $2, lease_until = $3::bigint + $4::bigint
          WHERE (consumer, key, window_start) IN (
            SELECT consumer, key, window_start FROM ${windows}
             WHERE consumer = $1 AND NOT closed AND closes_at <= $3
               AND (lease_until IS NULL OR lease_until <= $3)
             ORDER BY closes_at LIMIT $5 FOR UPDATE SKIP LOCKED)
          RETURNING key, window_start, window_end, closes_at, state, events`,
        [consumer, owner, now, leaseMs, limit],
      );
      return result.rows.map((row): ClaimedWindow => ({
        consumer,
        key: row.key,
        start: Number(row.window_start),
        end: Number(row.window_end),
        closesAt: Number(row.closes_at),
        state: JSON.parse(row.state) as WindowState,
        events: row.events,
      }));
    },
    async finish(window) {
      await ready();
      const at = [window.consumer, window.key, window.start];
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        await client.query(`DELETE FROM ${events} WHERE consumer = $1 AND key = $2 AND window_start = $3`, at);
        await client.query(
          `UPDATE ${windows} SET closed = true, closing = false, state = 'null', lease_owner = NULL, lease_until = NULL
            WHERE consumer = $1 AND key = $2 AND window_start = $3`,
          at,
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}
