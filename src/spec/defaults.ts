// What a key means when the spec leaves it out, read from the spec's schema itself (one source):
// a writer of specs (evgen import) leaves out the values that say no more than the default.
import { isDeepStrictEqual } from "node:util";
import { consumerSchema, DEFAULT_RETRY_MODE } from "./schema/consumer.js";

const ANY_EVENT = ["a.b"];

/** Whether `value` under consumers.<name>.<key> parses to what the key's absence does. */
export function isConsumerDefault(key: string, value: unknown): boolean {
  return sameAsDefault((input) => consumerSchema.safeParse({ on: ANY_EVENT, ...input }), key, value);
}

/** Whether `value` under consumers.<name>.retry.<key> parses to what the key's absence does. */
export function isRetryDefault(key: string, value: unknown): boolean {
  if (key === "mode") return value === DEFAULT_RETRY_MODE;
  return sameAsDefault(
    (input) => consumerSchema.safeParse({ on: ANY_EVENT, retry: input }),
    key,
    value,
    (parsed) => (parsed as { retry: unknown }).retry,
  );
}

function sameAsDefault(
  parse: (input: Record<string, unknown>) => { success: boolean; data?: unknown },
  key: string,
  value: unknown,
  part: (parsed: unknown) => unknown = (parsed) => parsed,
): boolean {
  const given = parse({ [key]: value });
  const absent = parse({});
  if (!given.success || !absent.success) return false;
  return isDeepStrictEqual(
    (part(given.data) as Record<string, unknown>)[key],
    (part(absent.data) as Record<string, unknown>)[key],
  );
}
