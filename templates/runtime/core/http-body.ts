// Request bodies of the HTTP ingress. A body is read within a size limit, a deadline, and a budget
// of bytes shared by every request in flight, so that many slow clients cannot make the service
// hold their bodies without end; then it is parsed as UTF-8 JSON of bounded depth.
import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";

export interface BodyLimits {
  /** Bytes of one body. */
  maxBytes: number;
  /** From the first byte asked for to the last received. */
  timeoutMs: number;
}

/** Bytes of request bodies held at once, across all requests. */
export class BodyBudget {
  private used = 0;

  constructor(readonly totalBytes: number) {}

  /** One request's share, given back with `release()` once the request is answered. */
  claim(): BodyClaim {
    let held = 0;
    return {
      take: (bytes) => {
        if (this.used + bytes > this.totalBytes) return false;
        this.used += bytes;
        held += bytes;
        return true;
      },
      get held() {
        return held;
      },
      release: () => {
        this.used -= held;
        held = 0;
      },
    };
  }

  /** Bytes held now. */
  get inUse(): number {
    return this.used;
  }
}

export interface BodyClaim {
  /** Takes `bytes` more; false, taking nothing, when they do not fit in the budget. */
  take(bytes: number): boolean;
  readonly held: number;
  release(): void;
}

export type BodyRead = { ok: true; body: Buffer } | { ok: false; status: 408 | 413 | 503; error: string };

/**
 * Reads the body of `req` into `claim`: the announced length is taken at once, a chunked body as
 * it arrives. A refused body is not kept: the caller drops the rest of it (discardRest) or, when
 * it came too slowly, answers with `connection: close`.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits, claim: BodyClaim): Promise<BodyRead> {
  const announced = Number(req.headers["content-length"] ?? NaN);
  if (announced > limits.maxBytes) return Promise.resolve(tooLarge(limits));
  if (Number.isInteger(announced) && announced > 0 && !claim.take(announced)) return Promise.resolve(busy());
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, status: 408, error: `body not received within ${limits.timeoutMs} ms` }),
      limits.timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish(tooLarge(limits));
      if (size > claim.held && !claim.take(size - claim.held)) return finish(busy());
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = () => finish({ ok: false, status: 408, error: "the request was aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** What a refused request may still send, read and dropped, before its connection is cut. */
export const DISCARD_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Reads and drops the rest of a refused body, so that the client reads the answer: a server that
 * closes while the client is still writing resets the connection, and clients then report the
 * reset (EPIPE) instead of the 413. Past `maxBytes` the connection is cut; the server's request
 * timeout bounds the time it may take.
 */
export function discardRest(req: IncomingMessage, maxBytes = DISCARD_MAX_BYTES): void {
  if (req.complete) return;
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) req.socket.destroy();
  });
  // A cut or aborted request is over; nothing is waiting for it.
  req.on("error", () => undefined);
  req.resume();
}

const tooLarge = (limits: BodyLimits): BodyRead => ({
  ok: false,
  status: 413,
  error: `body larger than ${limits.maxBytes} bytes`,
});

const busy = (): BodyRead => ({
  ok: false,
  status: 503,
  error: "too many request bodies in flight, try again",
});

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

/** Deeper JSON would overflow the stack of whatever walks it next (schema checks, serializing). */
export const MAX_JSON_DEPTH = 64;

export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string };

/** The JSON value of a body: UTF-8, well-formed, at most `maxDepth` objects and arrays deep. */
export function parseJson(body: Buffer, maxDepth = MAX_JSON_DEPTH): ParsedJson {
  if (!isUtf8(body)) return { ok: false, message: "body is not UTF-8" };
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  if (deeperThan(value, maxDepth)) return { ok: false, message: `nested deeper than ${maxDepth} levels` };
  return { ok: true, value };
}

/** Walks with a stack of its own: the value may be too deep for recursion, which is the point. */
function deeperThan(root: unknown, maxDepth: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, depth } = next;
    if (value === null || typeof value !== "object") continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
