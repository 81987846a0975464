// Errors the runtime and handlers throw on purpose, and how a failure is described on the wire.

/** Thrown by a handler when retrying cannot help: the event goes straight to the dead letter. */
export class NonRetryableError extends Error {
  override name = "NonRetryableError";
}

export interface PayloadIssue {
  /** Dot path into the payload ("" for the payload itself). */
  path: string;
  message: string;
}

/** A payload does not match its event's schema; nothing was published. */
export class InvalidPayloadError extends Error {
  override name = "InvalidPayloadError";
  constructor(
    readonly eventType: string,
    readonly issues: PayloadIssue[],
  ) {
    super(`invalid ${eventType} payload: ${issues.map((i) => `${i.path || "(payload)"}: ${i.message}`).join("; ")}`);
  }
}

/** The event type is not declared in the spec. */
/**
 * The broker will not deliver this event however often it is sent (nothing is bound to receive
 * it): a configuration problem to report, not a reason to retry.
 */
export class UndeliverableError extends Error {}

export class UnknownEventTypeError extends Error {
  override name = "UnknownEventTypeError";
  constructor(readonly eventType: string) {
    super(`unknown event type "${eventType}"`);
  }
}

/** Failure messages travel in headers, which brokers limit: at most 1 KiB of UTF-8. */
export const MAX_ERROR_BYTES = 1024;

export function truncateUtf8(text: string, maxBytes = MAX_ERROR_BYTES): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const suffix = "…";
  let cut = maxBytes - Buffer.byteLength(suffix);
  // Never split a multi-byte character: back up to the start of one.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString("utf8") + suffix;
}

export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return truncateUtf8(text);
}
