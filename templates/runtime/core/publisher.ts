// Publishing: validate against the latest version's schema, build the CloudEvents attributes and
// hand the message to the transport; resolve with the event id once the broker confirmed it.
import { randomUUID } from "node:crypto";
import { dataschemaOf, isValidTraceparent } from "./cloudevents.js";
import { InvalidPayloadError, UnknownEventTypeError, type PayloadIssue } from "./errors.js";
import type { PublishOptions } from "./handlers.js";
import type { Metrics } from "./metrics.js";
import type { CloudEventAttributes, OutgoingMessage, ServiceDef, Transport } from "./types.js";

export { isValidTraceparent };

/** One event of a batch: its type, payload and publish options. */
export type PublishItem<Payloads> = {
  [T in keyof Payloads & string]: { type: T; data: Payloads[T] } & PublishOptions;
}[keyof Payloads & string];

export interface Publisher<Payloads> {
  /** Resolves with the event id once the broker confirmed it; rejects with InvalidPayloadError. */
  publish<T extends keyof Payloads & string>(type: T, data: Payloads[T], opts?: PublishOptions): Promise<string>;
  /** Validates every item first (nothing is published if one is invalid), then publishes all. */
  publishBatch(items: Array<PublishItem<Payloads>>): Promise<string[]>;
  /** Publishes messages made by encodeEvent (the HTTP ingress checks a whole request first). */
  publishMessages(messages: OutgoingMessage[]): Promise<string[]>;
  /** Waits for publishes in flight; closes the transport when the publisher owns it. */
  close(): Promise<void>;
}

export interface PublisherOptions {
  metrics?: Metrics;
  /** Close the transport with the publisher (a publisher used on its own). */
  ownsTransport?: boolean;
  /**
   * Count as unrouted the events of a type no consumer of the service handles: the broker keeps
   * them aside (its BrokerConfigPart's `keepsUnrouted`; RabbitMQ: `<service>.unrouted`).
   */
  countUnrouted?: boolean;
}

function issuesOf(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): PayloadIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/** Validates a payload and turns it into a message; throws InvalidPayloadError / UnknownEventTypeError. */
export function encodeEvent(
  service: ServiceDef,
  type: string,
  data: unknown,
  opts: PublishOptions = {},
): OutgoingMessage {
  // Own keys only: "constructor" or "__proto__" is not an event type.
  const def = Object.hasOwn(service.events, type) ? service.events[type] : undefined;
  if (!def) throw new UnknownEventTypeError(type);
  const schema = def.versions[def.latest];
  if (!schema) throw new Error(`event ${type} has no schema for its latest version ${def.latest}`);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new InvalidPayloadError(type, issuesOf(parsed.error));

  const payload = parsed.data as Record<string, unknown>;
  const attributes: CloudEventAttributes = {
    id: opts.id ?? randomUUID(),
    type,
    source: service.source,
    specversion: "1.0",
    time: new Date().toISOString(),
    dataversion: String(def.latest),
    dataschema: dataschemaOf(type, def.latest),
    datacontenttype: "application/json",
  };
  if (isValidTraceparent(opts.traceparent)) attributes.traceparent = opts.traceparent;
  const message: OutgoingMessage = { attributes, topic: def.topic, body: Buffer.from(JSON.stringify(payload)) };
  const keyField = def.key === undefined ? undefined : payload[def.key];
  const key = opts.key ?? (keyField === undefined || keyField === null ? undefined : String(keyField));
  if (key !== undefined) message.key = key;
  return message;
}

export function createPublisher<Payloads>(
  service: ServiceDef,
  transport: Transport,
  options: PublisherOptions = {},
): Publisher<Payloads> {
  let connecting: Promise<void> | undefined;
  let closed = false;
  // Where the broker keeps them aside, these land there (unless another service's queue is bound to them).
  const handled = new Set(Object.values(service.consumers).flatMap((consumer) => consumer.on));
  const counted = (type: string) => {
    options.metrics?.published(type);
    if (options.countUnrouted && !handled.has(type)) options.metrics?.unrouted(type);
  };
  const inFlight = new Set<Promise<unknown>>();

  // Connect once, on first use; a failed connect is retried by the next publish.
  const connected = () =>
    (connecting ??= transport.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    }));

  async function send(messages: OutgoingMessage[]): Promise<string[]> {
    if (closed) throw new Error("publisher is closed");
    const sending = connected().then(() => transport.publish(messages));
    inFlight.add(sending);
    try {
      await sending;
    } finally {
      inFlight.delete(sending);
    }
    for (const message of messages) counted(message.attributes.type);
    return messages.map((message) => message.attributes.id);
  }

  return {
    async publish(type, data, opts) {
      const [id] = await send([encodeEvent(service, type, data, opts)]);
      return id!;
    },
    async publishBatch(items) {
      if (items.length === 0) return [];
      return send(items.map(({ type, data, ...opts }) => encodeEvent(service, type, data, opts)));
    },
    async publishMessages(messages) {
      if (messages.length === 0) return [];
      return send(messages);
    },
    async close() {
      closed = true;
      await Promise.allSettled(inFlight);
      if (options.ownsTransport) await transport.close();
    },
  };
}
