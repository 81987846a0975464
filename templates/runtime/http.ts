// HTTP ingress on node:http: POST /events/<type> publishes an event; /healthz, /readyz and
// /metrics serve orchestrators and Prometheus.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { InvalidPayloadError, UndeliverableError, UnknownEventTypeError, errorMessage } from "./errors.js";
import { BodyBudget, isJsonContentType, parseJson, readBody } from "./http-body.js";
import { isValidTraceparent, type Publisher } from "./publisher.js";
import type { Logger, ServiceDef } from "./types.js";

export interface HttpOptions {
  service: ServiceDef;
  publisher: Publisher<Record<string, unknown>>;
  /** /readyz answers 200 only while this is true (the broker connection is up). */
  isReady: () => boolean;
  /** What is not ready, named in the 503 of /readyz ("broker", "idempotency store redis"). */
  notReady?: () => string[];
  /** Where each consumer stands (e.g. joining its group), shown by /readyz. */
  consumerStates?: () => Record<string, string>;
  registry: Registry;
  log: Logger;
  /** When set, POST /events/* requires `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
  bodyLimit: number;
  /** A body not received within this time gets 408. */
  bodyTimeoutMs: number;
  /** Bytes of bodies held at once across requests; past it a request gets 503. */
  bodyBufferLimit: number;
}

/** How long a client may take to send its request headers. */
const HEADERS_TIMEOUT_MS = 10_000;

const EVENTS_PATH = "/events/";

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Compares digests so that neither the content nor the length of the token leaks through timing. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "");
  return match !== null && sameToken(match[1]!, token);
}

export function createHttpServer(options: HttpOptions): Server {
  const { service, publisher, log } = options;

  const budget = new BodyBudget(options.bodyBufferLimit);
  const limits = { maxBytes: options.bodyLimit, timeoutMs: options.bodyTimeoutMs };

  async function publishEvent(
    req: IncomingMessage,
    res: ServerResponse,
    type: string,
  ): Promise<void> {
    if (!authorized(req, options.apiToken)) {
      send(res, 401, { error: "unauthorized" }, { "www-authenticate": "Bearer" });
      return;
    }
    if (!Object.hasOwn(service.events, type)) {
      send(res, 404, { error: `unknown event type "${type}"` });
      return;
    }
    // Only a JSON body: a web page can post a form or text cross-site without asking, not JSON.
    if (!isJsonContentType(req.headers["content-type"])) {
      send(res, 415, { error: "content-type must be application/json" }, { connection: "close" });
      return;
    }
    const claim = budget.claim();
    try {
      const read = await readBody(req, limits, claim);
      if (!read.ok) {
        send(res, read.status, { error: read.error }, { connection: "close", ...(read.status === 503 ? { "retry-after": "1" } : {}) });
        return;
      }
      const parsed = parseJson(read.body);
      if (!parsed.ok) {
        send(res, 400, { error: "body is not valid JSON", issues: [{ path: "", message: parsed.message }] });
        return;
      }
      await publishData(req, res, type, parsed.value);
    } finally {
      claim.release();
    }
  }

  async function publishData(req: IncomingMessage, res: ServerResponse, type: string, data: unknown): Promise<void> {
    const traceparent = req.headers.traceparent?.toString();
    try {
      const id = await publisher.publish(
        type,
        data,
        isValidTraceparent(traceparent) ? { traceparent } : {},
      );
      send(res, 202, { id });
    } catch (error) {
      if (error instanceof InvalidPayloadError) {
        send(res, 400, { error: `invalid ${type} payload`, issues: error.issues });
      } else if (error instanceof UnknownEventTypeError) {
        send(res, 404, { error: error.message });
      } else if (error instanceof UndeliverableError) {
        log.error({ err: error.message, eventType: type }, "the broker cannot deliver this event");
        send(res, 500, { error: error.message });
      } else {
        log.error({ err: errorMessage(error), eventType: type }, "publishing an HTTP event failed");
        send(res, 503, { error: "the event could not be published, try again" });
      }
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const method = req.method ?? "GET";
    const only = (allowed: string): boolean => {
      if (method === allowed) return true;
      send(res, 405, { error: "method not allowed" }, { allow: allowed });
      return false;
    };
    if (path.startsWith(EVENTS_PATH)) {
      if (only("POST")) await publishEvent(req, res, path.slice(EVENTS_PATH.length));
    } else if (path === "/healthz") {
      if (only("GET")) send(res, 200, { status: "ok" });
    } else if (path === "/readyz") {
      const ready = options.isReady();
      const consumers = options.consumerStates?.();
      const states = consumers ? { consumers } : {};
      if (only("GET")) {
        if (ready) send(res, 200, { status: "ready", ...states });
        else send(res, 503, { status: "not ready", ...(options.notReady ? { waitingFor: options.notReady() } : {}), ...states });
      }
    } else if (path === "/metrics") {
      if (only("GET")) {
        const text = await options.registry.metrics();
        res.writeHead(200, { "content-type": options.registry.contentType });
        res.end(text);
      }
    } else {
      send(res, 404, { error: "not found" });
    }
  }

  return createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: HEADERS_TIMEOUT_MS + options.bodyTimeoutMs }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      log.error({ err: errorMessage(error), url: req.url }, "HTTP request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });
}
