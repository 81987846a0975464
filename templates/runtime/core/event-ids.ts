// Ids of the events a handler publishes, derived from what it is handling: a retried or replayed
// handler run publishes the same ids again, so consumers downstream see (and drop) duplicates.
import { createHash } from "node:crypto";

/** The namespace of the ids evgen derives. */
export const EVGEN_ID_NAMESPACE = "d6ff4f71-8860-4396-91e3-33551e3ffe7c";

/** A UUID version 5 (RFC 9562: SHA-1, name-based) of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name, "utf8")
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface EmittedEvent {
  /** Source and id of the event being handled. */
  source: string;
  id: string;
  /** The consumer group handling it, `<service>.<consumer>`. */
  consumer: string;
  /** The type published, and how many events of that type this run published before it. */
  type: string;
  ordinal: number;
}

/** The id of the `ordinal`-th event of `type` that one handler run publishes. */
export function emittedEventId(event: EmittedEvent): string {
  // JSON keeps the parts apart whatever characters they hold.
  const name = JSON.stringify([event.source, event.id, event.consumer, event.type, event.ordinal]);
  return uuidV5(name, EVGEN_ID_NAMESPACE);
}

/**
 * The id of the `index`-th event of an HTTP request sent with `Idempotency-Key: <key>` by `client`:
 * a repeat of the request gets the ids of the first.
 */
export function requestEventId(source: string, client: string, key: string, index: number): string {
  return uuidV5(JSON.stringify(["http", source, client, key, index]), EVGEN_ID_NAMESPACE);
}
