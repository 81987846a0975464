// Publishing requests of the HTTP ingress, POST /events/<type> and POST /events: a JSON payload,
// a batch, or a CloudEvent, each checked whole before anything is published, and answered with
// the ids (docs/spec.md, HTTP ingress). The server around it (http.ts) authenticates and answers.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { contextProblem, decodeData, readWireEvent } from "./cloudevents.js";
import { InvalidPayloadError, type PayloadIssue } from "./errors.js";
import { requestEventId } from "./event-ids.js";
import { batchItems, type BatchItem } from "./http-batch.js";
import { BodyBudget, discardRest, isJsonContentType, parseJson, readBody } from "./http-body.js";
import { ANONYMOUS_CLIENT, mayPublish, type ApiClient } from "./http-clients.js";
import { binaryAttributes, cloudEventMode, receivedMessage } from "./http-cloudevents.js";
import { fingerprint, idempotencyKeyOf, type HttpIdempotency } from "./http-idempotency.js";
import type { HttpMetrics } from "./metrics.js";
import { encodeEvent, isValidTraceparent, type Publisher } from "./publisher.js";
import type { Logger, OutgoingMessage, ServiceDef } from "./types.js";

export interface EventIngressOptions {
  service: ServiceDef;
  publisher: Publisher<Record<string, unknown>>;
  metrics?: HttpMetrics;
  log: Logger;
  /** Remembers accepted requests (`Idempotency-Key`) and CloudEvents (source, id) for 24 hours. */
  idempotency: HttpIdempotency;
  bodyLimit: number;
  /** A body not received within this time gets 408. */
  bodyTimeoutMs: number;
  /** Bytes of bodies held at once across requests; past it a request gets 503. */
  bodyBufferLimit: number;
}

/** A request refused before anything is published. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly body: { error: string; issues?: PayloadIssue[] },
    readonly headers: Record<string, string> = {},
  ) {}
}

/** What a publishing request is answered. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Issues of a batch item carry its index: "2.data.orderId". */
const itemIssues = (prefix: string, issues: PayloadIssue[]): PayloadIssue[] =>
  issues.map((issue) => ({ ...issue, path: [prefix, issue.path].filter(Boolean).join(".") }));

/**
 * Publishes what a request to POST /events/<type> (`pathType` set) or POST /events carries, sent
 * by `client` (undefined when no token is configured); throws a Refusal when nothing is published.
 */
export function createEventIngress(
  options: EventIngressOptions,
): (req: IncomingMessage, pathType: string | undefined, client: ApiClient | undefined) => Promise<Answer> {
  const { service, publisher, log } = options;

  const budget = new BodyBudget(options.bodyBufferLimit);
  const limits = { maxBytes: options.bodyLimit, timeoutMs: options.bodyTimeoutMs };
  const accepts = (type: string) => Object.hasOwn(service.events, type) && service.events[type]!.http !== false;
  const notAccepted = (type: string) =>
    Object.hasOwn(service.events, type)
      ? `event type "${type}" is not accepted over HTTP`
      : `unknown event type "${type}"`;

  /** Refuses types the ingress does not accept (404), then those the client may not publish (403). */
  function checkTypes(types: string[], client: ApiClient | undefined, batch: boolean): void {
    const issues = (refused: (type: string) => string | undefined) =>
      types.flatMap((type, index) => {
        const message = refused(type);
        return message === undefined ? [] : [{ path: batch ? `${index}.type` : "", message }];
      });
    const unknown = issues((type) => (accepts(type) ? undefined : notAccepted(type)));
    if (unknown.length > 0)
      throw new Refusal(404, { error: unknown[0]!.message, ...(batch ? { issues: unknown } : {}) });
    if (!client) return;
    const forbidden = issues((type) =>
      mayPublish(client, type) ? undefined : `client ${client.name} may not publish ${type}`,
    );
    if (forbidden.length > 0)
      throw new Refusal(403, { error: forbidden[0]!.message, ...(batch ? { issues: forbidden } : {}) });
  }

  /** Validates every item before any is published: one invalid payload refuses the request. */
  function encodeAll(
    items: BatchItem[],
    batch: boolean,
    ids: (index: number) => string | undefined,
    traceparent?: string,
  ): OutgoingMessage[] {
    const issues: PayloadIssue[] = [];
    const messages: OutgoingMessage[] = [];
    for (const [index, { type, data }] of items.entries()) {
      const id = ids(index);
      try {
        messages.push(
          encodeEvent(service, type, data, { ...(id ? { id } : {}), ...(traceparent ? { traceparent } : {}) }),
        );
      } catch (error) {
        if (!(error instanceof InvalidPayloadError)) throw error;
        issues.push(...(batch ? itemIssues(`${index}.data`, error.issues) : error.issues));
      }
    }
    if (issues.length > 0) {
      throw new Refusal(400, {
        error: batch ? "invalid events in the batch" : `invalid ${items[0]!.type} payload`,
        issues,
      });
    }
    return messages;
  }

  /** The body, within the size, time and buffer limits; then checked to be JSON of bounded depth. */
  async function readJson(req: IncomingMessage): Promise<{ value: unknown; body: Buffer; digest: string }> {
    const claim = budget.claim();
    try {
      const read = await readBody(req, limits, claim);
      if (!read.ok) {
        // Too large or over the buffer budget: the rest is dropped as it comes, and the connection
        // stays usable. Too slow: the connection is closed.
        if (read.status === 408) throw new Refusal(408, { error: read.error }, { connection: "close" });
        discardRest(req);
        throw new Refusal(read.status, { error: read.error }, read.status === 503 ? { "retry-after": "1" } : {});
      }
      const parsed = parseJson(read.body);
      if (!parsed.ok)
        throw new Refusal(400, { error: "body is not valid JSON", issues: [{ path: "", message: parsed.message }] });
      return {
        value: parsed.value,
        body: read.body,
        digest: createHash("sha256").update(read.body).digest("base64url"),
      };
    } finally {
      claim.release();
    }
  }

  /** Only a JSON body: a web page can post a form or text cross-site without asking, not JSON. */
  function requireJson(req: IncomingMessage): void {
    const contentType = req.headers["content-type"];
    if (isJsonContentType(contentType)) return;
    const batched = contentType?.toLowerCase().startsWith("application/cloudevents-batch+json") ?? false;
    const error = batched
      ? "batched CloudEvents are not accepted: post each event, or a JSON array of { type, data } to /events"
      : "content-type must be application/json";
    throw new Refusal(415, { error }, { connection: "close" });
  }

  /**
   * A CloudEvent (binary or structured mode), published with what its sender gave it. Its type
   * must be the path's when the path names one; a repeat of its (source, id) publishes nothing.
   */
  async function publishCloudEvent(
    req: IncomingMessage,
    pathType: string | undefined,
    client: ApiClient | undefined,
    mode: "binary" | "structured",
  ): Promise<Answer> {
    const name = client?.name ?? ANONYMOUS_CLIENT;
    const header = mode === "binary" ? binaryAttributes(req.headers) : undefined;
    if (header) {
      requireJson(req);
      contradiction(header.type, pathType);
    }
    const { body } = await readJson(req);
    const read = readWireEvent(header ?? { datacontenttype: req.headers["content-type"] }, body);
    if (!read.ok) throw new Refusal(400, { error: read.problem });
    const attributes = read.event.attributes;
    // Structured mode: the trace context may come as an HTTP header rather than an attribute.
    if (attributes.traceparent === undefined && req.headers.traceparent !== undefined)
      attributes.traceparent = req.headers.traceparent.toString();
    const problem = contextProblem(attributes);
    if (problem !== undefined) throw new Refusal(400, { error: problem });
    // The service's own source names what its publisher and handlers publish: a caller using it
    // could take the ids of events the service derives (docs/spec.md, HTTP ingress).
    if (attributes.source === service.source) {
      throw new Refusal(400, {
        error: `source "${service.source}" is this service's own: post the data as JSON instead`,
      });
    }
    const type = attributes.type!;
    contradiction(type, pathType);
    checkTypes([type], client, false);
    const decoded = decodeData(service.events[type]!, attributes, read.event.data);
    if (!decoded.ok)
      throw new Refusal(400, { error: `invalid ${type} event`, issues: [{ path: "", message: decoded.problem }] });
    const event = decoded.event;
    const message = receivedMessage(service, event);
    const outcome = await options.idempotency.once({ scope: "event", source: event.source, id: event.id }, async () => {
      await publisher.publishMessages([message]);
      options.metrics?.httpAccepted(type, name);
      log.info({ client: name, ids: [event.id], types: [type], source: event.source }, "accepted over HTTP");
    });
    return {
      status: 202,
      body: { id: event.id },
      ...(outcome === "repeated" ? { headers: { "idempotent-replayed": "true" } } : {}),
    };
  }

  /** A CloudEvent's type must be the path's, when the path names one: 400 rather than a guess. */
  function contradiction(type: string | undefined, pathType: string | undefined): void {
    if (type !== undefined && pathType !== undefined && type !== pathType) {
      throw new Refusal(400, { error: `the CloudEvent's type "${type}" is not the path's "${pathType}"` });
    }
  }

  /** POST /events/<type> (`type` set) or POST /events (a batch): the status and body to answer. */
  async function publishRequest(
    req: IncomingMessage,
    pathType: string | undefined,
    client: ApiClient | undefined,
  ): Promise<Answer> {
    const batch = pathType === undefined;
    const name = client?.name ?? ANONYMOUS_CLIENT;
    if (!batch) checkTypes([pathType], client, false);
    const mode = cloudEventMode(req.headers);
    if (mode) return publishCloudEvent(req, pathType, client, mode);
    requireJson(req);
    const idempotency = idempotencyKeyOf(req.headers["idempotency-key"]);
    if (!idempotency.ok) throw new Refusal(400, { error: idempotency.error });
    const { value, digest } = await readJson(req);

    let items: BatchItem[];
    if (batch) {
      const shape = batchItems(value);
      if (!shape.ok)
        throw new Refusal(shape.status, { error: shape.error, ...(shape.issues ? { issues: shape.issues } : {}) });
      items = shape.items;
      checkTypes(
        items.map((item) => item.type),
        client,
        true,
      );
    } else {
      items = [{ type: pathType, data: value }];
    }
    const key = idempotency.key;
    const traceparent = req.headers.traceparent?.toString();
    const messages = encodeAll(
      items,
      batch,
      (index) => (key === undefined ? undefined : requestEventId(service.source, name, key, index)),
      isValidTraceparent(traceparent) ? traceparent : undefined,
    );
    const ids = messages.map((message) => message.attributes.id);
    const answer = batch ? { ids } : { id: ids[0] };
    const publish = async () => {
      await publisher.publishMessages(messages);
      for (const message of messages) options.metrics?.httpAccepted(message.attributes.type, name);
      log.info({ client: name, ids, types: items.map((item) => item.type) }, "accepted over HTTP");
    };
    if (key === undefined) {
      await publish();
      return { status: 202, body: answer };
    }
    const outcome = await options.idempotency.once(
      { scope: `request:${name}`, source: service.source, id: key, fingerprint: fingerprint([pathType ?? "", digest]) },
      publish,
    );
    if (outcome === "conflict") {
      throw new Refusal(422, { error: "this Idempotency-Key was used with another request within 24 hours" });
    }
    return {
      status: 202,
      body: answer,
      ...(outcome === "repeated" ? { headers: { "idempotent-replayed": "true" } } : {}),
    };
  }

  return publishRequest;
}
