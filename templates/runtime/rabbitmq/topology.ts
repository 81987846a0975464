// The exchange and queues of the wire format, declared on every (re)connect. Declarations are
// idempotent as long as the arguments match; a queue that exists with other arguments makes
// RabbitMQ close the channel (PRECONDITION_FAILED), reported here with the queue's name.
import type { Channel, ChannelModel, Options } from "amqplib";
import type { ConsumerDef, Logger, ServiceDef } from "../core/types.js";
import type { RabbitSettings } from "./settings.js";

type QueueType = RabbitSettings["queueType"];

/**
 * Deliveries of one message before a quorum queue dead-letters it to `.dlq`. Retries travel as
 * copies through the wait queues, so only crashes and requeues count; RabbitMQ 4 would drop the
 * message after 20 deliveries if no dead-lettering were configured.
 */
export const DELIVERY_LIMIT = 20;

/**
 * The dead-letter queue has nowhere to dead-letter to, and `dlq list` returns what it reads, which
 * counts as a delivery: RabbitMQ 4's default limit of 20 would drop a dead letter after 20 lists.
 * A limit no one reaches keeps them (-1 would mean "none" on RabbitMQ 4 but drops at once on 3.x).
 */
export const DEAD_LETTER_DELIVERY_LIMIT = 1_000_000_000;

export class TopologyConflictError extends Error {
  constructor(
    readonly kind: "queue" | "exchange",
    readonly entity: string,
    detail: string,
    vhost = "/",
  ) {
    const remedy =
      kind === "queue"
        ? `move its messages elsewhere and delete it (rabbitmqctl -p ${shellWord(vhost)} delete_queue ${shellWord(entity)}), or restore the settings that created it`
        : "delete it, or restore the settings that created it";
    super(
      `RabbitMQ ${kind} "${entity}" already exists with different settings (${detail}). ` +
        `It was declared by another version of this service or by hand: ${remedy}.`,
    );
    this.name = "TopologyConflictError";
  }
}

/** A word rabbitmqctl gets as one argument, whatever it holds. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._\/:-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The service's exchange as this process declares it: with `<service>.unrouted` as its alternate
 * exchange, or, when it exists without that (made by an older evgen, or shared with a service that
 * set another), only checked: its arguments cannot change, and declaring other ones would close the
 * channel. Returned events then go to the unrouted queue through the publisher (publisher.ts).
 */
export interface EventExchange {
  name: string;
  /** Undefined: the exchange is kept as it was made (checked, not declared). */
  options?: Options.AssertExchange;
}

export interface Topology {
  exchange: EventExchange;
  queueType: QueueType;
  /** The connection's virtual host, for the rabbitmqctl commands in error messages. */
  vhost: string;
  /** How long a wait queue outlives its delay once nobody declares it any more (x-expires). */
  waitQueueIdleMs: number;
}

/**
 * Wait queues are named by their delay, so changing retry settings makes new ones and never
 * redeclares an old one with another TTL. The old ones keep dead-lettering their events back to the
 * consumer's queue; RabbitMQ deletes each once it has gone undeclared for its delay plus this long
 * (x-expires), by when every event it held has left. Running services declare theirs again well
 * within that (transport.ts), so the wait queues in use never expire.
 */
export const WAIT_QUEUE_IDLE_MS = 24 * 60 * 60 * 1000;

/** The virtual host an amqp(s):// URL names ("/" when none). */
export function vhostOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || "/";
}

async function declareExchange(channel: Channel, { name, options }: EventExchange, vhost: string): Promise<void> {
  await declaring(
    "exchange",
    name,
    () => (options ? channel.assertExchange(name, "topic", options) : channel.checkExchange(name)),
    vhost,
  );
}

/**
 * Declares `<service>.unrouted` (a fanout exchange and a durable queue bound to it) and the event
 * exchange with it as alternate exchange, on a channel of its own since a refused declaration closes
 * the channel. Returns how the event exchange is to be declared from then on (see EventExchange).
 */
export async function openEventExchange(
  model: ChannelModel,
  rabbitmq: RabbitSettings,
  vhost: string,
  log: Logger,
): Promise<EventExchange> {
  const { exchange, unrouted, queueType } = rabbitmq;
  const channel = await model.createChannel();
  channel.on("error", () => undefined); // a refused declaration is handled below
  try {
    await declaring("exchange", unrouted, () => channel.assertExchange(unrouted, "fanout", { durable: true }), vhost);
    await declareQueue(channel, unrouted, unroutedQueueArguments(queueType), vhost);
    await channel.bindQueue(unrouted, unrouted, "");
    const options = { durable: true, alternateExchange: unrouted };
    try {
      await channel.assertExchange(exchange, "topic", options);
      return { name: exchange, options };
    } catch (err) {
      if (!/inequivalent arg 'alternate-exchange'/.test((err as Error).message ?? "")) {
        throw conflict("exchange", exchange, err, vhost);
      }
      log.info(
        { exchange, unrouted },
        `RabbitMQ exchange "${exchange}" exists without the alternate exchange "${unrouted}": ` +
          `events no queue is bound to are moved to the queue "${unrouted}" when RabbitMQ returns them. ` +
          "Deleting the exchange once lets the service declare it with one (docs/spec.md)",
      );
      return { name: exchange };
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Nobody consumes the unrouted queue, but reading it (`basic.get`) counts as a delivery, as on a dead letter. */
function unroutedQueueArguments(queueType: QueueType): Record<string, unknown> {
  return queueArguments(queueType, queueType === "quorum" ? { "x-delivery-limit": DEAD_LETTER_DELIVERY_LIMIT } : {});
}

/**
 * Everything the service's consumers need, declared by its publisher too: events published
 * before a consumer first started wait in its queue instead of being returned as unroutable.
 */
export async function declareServiceTopology(channel: Channel, service: ServiceDef, topology: Topology): Promise<void> {
  await declareExchange(channel, topology.exchange, topology.vhost);
  for (const consumer of Object.values(service.consumers)) {
    await declareConsumerTopology(channel, topology, consumer);
  }
}

/**
 * Exchange, consumer queue with its bindings, wait queues and, when the consumer has a dead
 * letter, its dead-letter queue. Without one, the consumer queue dead-letters nowhere: a message
 * delivered DELIVERY_LIMIT times (crashes, requeues) is dropped by a quorum queue.
 */
export async function declareConsumerTopology(
  channel: Channel,
  { exchange, queueType, vhost, waitQueueIdleMs }: Topology,
  consumer: ConsumerDef,
): Promise<void> {
  const { group, deadLetterQueue } = consumer;
  await declareExchange(channel, exchange, vhost);
  if (deadLetterQueue !== undefined) {
    await declareQueue(
      channel,
      deadLetterQueue,
      queueArguments(queueType, queueType === "quorum" ? { "x-delivery-limit": DEAD_LETTER_DELIVERY_LIMIT } : {}),
      vhost,
    );
  }
  await declareQueue(
    channel,
    group,
    queueArguments(queueType, {
      ...(deadLetterQueue === undefined
        ? {}
        : { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadLetterQueue }),
      ...(queueType === "quorum" ? { "x-delivery-limit": DELIVERY_LIMIT } : {}),
    }),
    vhost,
  );
  for (const key of consumer.routingKeys ?? consumer.on) await channel.bindQueue(group, exchange.name, key);
  await declareWaitQueues(channel, { queueType, vhost, waitQueueIdleMs }, consumer);
}

/** A consumer's wait queues, one per distinct delay; declaring them again renews their lease (x-expires). */
export async function declareWaitQueues(
  channel: Channel,
  { queueType, vhost, waitQueueIdleMs }: Omit<Topology, "exchange">,
  consumer: ConsumerDef,
): Promise<void> {
  const declared = new Set<string>();
  for (const [index, queue] of consumer.retryQueues.entries()) {
    const delayMs = consumer.retry.delaysMs[index];
    if (delayMs === undefined) throw new Error(`consumer "${consumer.name}" has no retry delay for ${queue}`);
    if (declared.has(queue)) continue;
    declared.add(queue);
    await declareQueue(
      channel,
      queue,
      queueArguments(queueType, {
        "x-message-ttl": delayMs,
        "x-expires": delayMs + waitQueueIdleMs,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": consumer.group,
      }),
      vhost,
    );
  }
}

function queueArguments(queueType: QueueType, deadLettering: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = { "x-queue-type": queueType, ...deadLettering };
  // Quorum queues dead-letter at most once unless told otherwise; a wait queue losing a message
  // on its way back would lose the event.
  if (queueType === "quorum" && "x-dead-letter-exchange" in deadLettering) {
    args["x-dead-letter-strategy"] = "at-least-once";
    args["x-overflow"] = "reject-publish"; // required by at-least-once
  }
  return args;
}

async function declareQueue(
  channel: Channel,
  queue: string,
  args: Record<string, unknown>,
  vhost: string,
): Promise<void> {
  await declaring("queue", queue, () => channel.assertQueue(queue, { durable: true, arguments: args }), vhost);
}

async function declaring(
  kind: "queue" | "exchange",
  entity: string,
  declare: () => Promise<unknown>,
  vhost: string,
): Promise<void> {
  try {
    await declare();
  } catch (err) {
    throw conflict(kind, entity, err, vhost);
  }
}

/** A refused declaration (406) as a TopologyConflictError; any other error as it is. */
function conflict(kind: "queue" | "exchange", entity: string, err: unknown, vhost: string): unknown {
  const { code, message } = err as { code?: number; message?: string };
  if (code !== 406) return err;
  const detail = /PRECONDITION_FAILED - (.*?)"?$/.exec(message ?? "")?.[1] ?? String(message);
  return new TopologyConflictError(kind, entity, detail, vhost);
}
