// Repeated requests to the HTTP ingress publish nothing new: a request with an `Idempotency-Key`
// already answered within 24 hours, or a CloudEvent whose (source, id) was already accepted, gets
// the first answer again. What was accepted is kept in an idempotency store (memory, or the
// service's Redis or PostgreSQL) under a scope of the ingress's own (docs/spec.md, HTTP ingress).
import { createHash } from "node:crypto";
import { errorMessage } from "./errors.js";
import type { IdempotencyStore, ProcessedRef } from "./idempotency.js";
import type { Logger } from "./types.js";

/** How long a request or event is remembered once accepted. */
export const HTTP_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** `Idempotency-Key`: 1 to 255 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

export type IdempotencyKey = { ok: true; key?: string } | { ok: false; error: string };

export function idempotencyKeyOf(header: string | string[] | undefined): IdempotencyKey {
  if (header === undefined) return { ok: true };
  if (typeof header !== "string" || !IDEMPOTENCY_KEY.test(header)) {
    return { ok: false, error: "Idempotency-Key must be one header of 1 to 255 printable ASCII characters" };
  }
  return { ok: true, key: header };
}

/** What is remembered: a request by its key and sender, or an event by its source and id. */
export interface Remembered {
  /** "request:<client>" or "event". */
  scope: string;
  source: string;
  id: string;
  /** A digest of what was sent: the same key with another request is refused. */
  fingerprint?: string;
}

export type Outcome = "accepted" | "repeated" | "conflict";

export interface HttpIdempotency {
  /**
   * Runs `publish` unless `what` was accepted before ("repeated"), or its key came with another
   * request ("conflict"). Concurrent calls for the same `what` in this process run one at a time.
   * Rejects when the store does not answer within the timeout: nothing is published then.
   */
  once(what: Remembered, publish: () => Promise<void>): Promise<Outcome>;
}

export function fingerprint(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
}

export function createHttpIdempotency(
  service: string,
  store: IdempotencyStore,
  timeoutMs: number,
  log: Logger,
): HttpIdempotency {
  const inFlight = new Map<string, Promise<unknown>>();
  // A consumer group is `<service>.<consumer>`: a ":" keeps these apart from every group.
  const ref = (what: Remembered, id = what.id): ProcessedRef => ({
    consumer: `${service}:http:${what.scope}`,
    source: what.source,
    id,
    ttlMs: HTTP_IDEMPOTENCY_TTL_MS,
  });
  const bounded = <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the idempotency store did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  };
  const withPrint = (what: Remembered) => `${what.id}\n${what.fingerprint}`;

  async function decide(what: Remembered, publish: () => Promise<void>): Promise<Outcome> {
    if (await bounded(store.seen(ref(what)))) {
      if (what.fingerprint === undefined) return "repeated";
      return (await bounded(store.seen(ref(what, withPrint(what))))) ? "repeated" : "conflict";
    }
    await publish();
    // Published is published: the caller is told so even if the store fails to remember it now.
    // A repeat then publishes the same ids again, which consumers with idempotency drop.
    try {
      await bounded(store.mark(ref(what)));
      if (what.fingerprint !== undefined) await bounded(store.mark(ref(what, withPrint(what))));
    } catch (error) {
      log.warn(
        { err: errorMessage(error), scope: what.scope },
        "accepted, but the idempotency store did not remember it",
      );
    }
    return "accepted";
  }

  return {
    async once(what, publish) {
      const key = JSON.stringify([what.scope, what.source, what.id]);
      // A repeat sent while the first is still publishing waits for it, then finds it marked.
      for (let earlier = inFlight.get(key); earlier; earlier = inFlight.get(key)) {
        await earlier.catch(() => undefined);
      }
      const deciding = decide(what, publish);
      inFlight.set(key, deciding);
      try {
        return await deciding;
      } finally {
        inFlight.delete(key);
      }
    },
  };
}
