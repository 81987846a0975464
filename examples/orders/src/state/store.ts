// The shop's own state (stock, reservations, payments, shipments, order statuses): JSON documents
// by namespace and key. Each change runs with the keys it reads locked, so two handlers of one
// order (the events of an order arrive on several topics at once) never overwrite each other.
// PostgreSQL when DATABASE_URL is set; in memory otherwise (`npm run dev`, the handler tests).
import { createMemoryStateStore } from "./memory-store.js";
import { createPostgresStateStore } from "./postgres-store.js";

/** A document: anything JSON.stringify keeps as it is (plain objects, arrays, strings, numbers, booleans). */
export type Json = unknown;

/** What a change decides: the documents to write (by key) and a result for the caller. */
export interface Change<R> {
  writes: Record<string, Json>;
  result: R;
}

export interface StateStore {
  /**
   * Reads `keys` of `namespace` (absent ones are undefined), locked until `change` returns, and
   * writes what it decides in the same transaction. `change` must not have side effects: it may
   * run again when a transaction is retried.
   */
  update<R>(
    namespace: string,
    keys: string[],
    change: (current: Record<string, Json | undefined>) => Change<R>,
  ): Promise<R>;
  get(namespace: string, key: string): Promise<Json | undefined>;
  close(): Promise<void>;
}

let shared: StateStore | undefined;

/** The process's store: PostgreSQL when DATABASE_URL is set, otherwise memory. */
export function sharedStateStore(
  env: NodeJS.ProcessEnv = process.env,
): StateStore {
  shared ??= env.DATABASE_URL
    ? createPostgresStateStore({
        connectionString: env.DATABASE_URL,
        table: "shop_state",
      })
    : createMemoryStateStore();
  return shared;
}
