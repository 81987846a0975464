// HTTP ingress on node:http: POST /events/<type> publishes an event, POST /events a batch or a
// CloudEvent (http-events.ts); /healthz, /readyz and /metrics serve orchestrators and Prometheus.
// Who may publish what, repeats and the statuses: docs/spec.md, HTTP ingress.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { UndeliverableError, errorMessage } from "./errors.js";
import { ANONYMOUS_CLIENT, UNAUTHENTICATED, authenticate, type ApiClient } from "./http-clients.js";
import { Refusal, createEventIngress, type EventIngressOptions } from "./http-events.js";

export interface HttpOptions extends EventIngressOptions {
  /** /readyz answers 200 only while this is true (the broker connection is up). */
  isReady: () => boolean;
  /** What is not ready, named in the 503 of /readyz ("broker", "idempotency store redis"). */
  notReady?: () => string[];
  /** Where each consumer stands (e.g. joining its group), shown by /readyz. */
  consumerStates?: () => Record<string, string>;
  registry: Registry;
  /** Who may publish (`Authorization: Bearer <token>`); none: anyone may. */
  clients: readonly ApiClient[];
}

/** How long a client may take to send its request headers. */
const HEADERS_TIMEOUT_MS = 10_000;

const EVENTS_PATH = "/events";

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function createHttpServer(options: HttpOptions): Server {
  const { log } = options;
  const publishRequest = createEventIngress(options);

  async function publishEvents(req: IncomingMessage, res: ServerResponse, pathType: string | undefined): Promise<void> {
    const sender = options.clients.length > 0 ? authenticate(req.headers.authorization, options.clients) : undefined;
    const client = sender?.name ?? (options.clients.length > 0 ? UNAUTHENTICATED : ANONYMOUS_CLIENT);
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      options.metrics?.httpRequest(client, status);
      send(res, status, body, headers);
    };
    try {
      if (options.clients.length > 0 && !sender) {
        throw new Refusal(401, { error: "unauthorized" }, { "www-authenticate": "Bearer" });
      }
      const { status, body, headers } = await publishRequest(req, pathType, sender);
      answer(status, body, headers);
    } catch (error) {
      if (error instanceof Refusal) {
        if (error.status === 403)
          log.warn({ client, err: error.body.error }, "refused: the API client may not publish this type");
        answer(error.status, error.body, error.headers);
      } else if (error instanceof UndeliverableError) {
        log.error({ err: error.message, client, eventType: pathType }, "the broker cannot deliver this event");
        answer(500, { error: error.message });
      } else {
        log.error({ err: errorMessage(error), client, eventType: pathType }, "publishing an HTTP event failed");
        answer(503, { error: "the event could not be published, try again" });
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
    if (path === EVENTS_PATH || path.startsWith(`${EVENTS_PATH}/`)) {
      const type = path === EVENTS_PATH ? undefined : path.slice(EVENTS_PATH.length + 1);
      if (only("POST")) await publishEvents(req, res, type);
    } else if (path === "/healthz") {
      if (only("GET")) send(res, 200, { status: "ok" });
    } else if (path === "/readyz") {
      const ready = options.isReady();
      const consumers = options.consumerStates?.();
      const states = consumers ? { consumers } : {};
      if (only("GET")) {
        if (ready) send(res, 200, { status: "ready", ...states });
        else
          send(res, 503, {
            status: "not ready",
            ...(options.notReady ? { waitingFor: options.notReady() } : {}),
            ...states,
          });
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

  return createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: HEADERS_TIMEOUT_MS + options.bodyTimeoutMs },
    (req, res) => {
      route(req, res).catch((error: unknown) => {
        log.error({ err: errorMessage(error), url: req.url }, "HTTP request failed");
        if (!res.headersSent) send(res, 500, { error: "internal error" });
        else res.destroy();
      });
    },
  );
}
