// The exchange and queues of contract §4, declared on every (re)connect. Declarations are
// idempotent as long as the arguments match; a queue that exists with other arguments makes
// RabbitMQ close the channel (PRECONDITION_FAILED), reported here with the queue's name.
import type { Channel } from "amqplib";
import type { ConsumerDef, ServiceDef } from "./types.js";

type QueueType = ServiceDef["rabbitmq"]["queueType"];

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
  ) {
    const remedy =
      kind === "queue"
        ? `move its messages elsewhere and delete it (rabbitmqctl delete_queue ${entity}), or restore the settings that created it`
        : "delete it, or restore the settings that created it";
    super(
      `RabbitMQ ${kind} "${entity}" already exists with different settings (${detail}). ` +
        `It was declared by another version of this service or by hand: ${remedy}.`,
    );
    this.name = "TopologyConflictError";
  }
}

async function declareExchange(channel: Channel, exchange: string): Promise<void> {
  await declaring("exchange", exchange, () => channel.assertExchange(exchange, "topic", { durable: true }));
}

/**
 * Everything the service's consumers need, declared by its publisher too: events published
 * before a consumer first started wait in its queue instead of being returned as unroutable.
 */
export async function declareServiceTopology(channel: Channel, service: ServiceDef): Promise<void> {
  const { exchange, queueType } = service.rabbitmq;
  await declareExchange(channel, exchange);
  for (const consumer of Object.values(service.consumers)) {
    await declareConsumerTopology(channel, { exchange, queueType, consumer });
  }
}

/** Exchange, consumer queue with its bindings, wait queues and dead-letter queue. */
export async function declareConsumerTopology(
  channel: Channel,
  { exchange, queueType, consumer }: { exchange: string; queueType: QueueType; consumer: ConsumerDef },
): Promise<void> {
  const { group, deadLetterQueue } = consumer;
  await declareExchange(channel, exchange);
  await declareQueue(
    channel,
    deadLetterQueue,
    queueArguments(queueType, queueType === "quorum" ? { "x-delivery-limit": DEAD_LETTER_DELIVERY_LIMIT } : {}),
  );
  await declareQueue(
    channel,
    group,
    queueArguments(queueType, {
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": deadLetterQueue,
      ...(queueType === "quorum" ? { "x-delivery-limit": DELIVERY_LIMIT } : {}),
    }),
  );
  for (const type of consumer.on) await channel.bindQueue(group, exchange, type);
  for (const [index, queue] of consumer.retryQueues.entries()) {
    const delayMs = consumer.retry.delaysMs[index];
    if (delayMs === undefined) throw new Error(`consumer "${consumer.name}" has no retry delay for ${queue}`);
    await declareQueue(
      channel,
      queue,
      queueArguments(queueType, {
        "x-message-ttl": delayMs,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": group,
      }),
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

async function declareQueue(channel: Channel, queue: string, args: Record<string, unknown>): Promise<void> {
  await declaring("queue", queue, () => channel.assertQueue(queue, { durable: true, arguments: args }));
}

async function declaring(kind: "queue" | "exchange", entity: string, declare: () => Promise<unknown>): Promise<void> {
  try {
    await declare();
  } catch (err) {
    const { code, message } = err as { code?: number; message?: string };
    if (code !== 406) throw err;
    const detail = /PRECONDITION_FAILED - (.*?)"?$/.exec(message ?? "")?.[1] ?? String(message);
    throw new TopologyConflictError(kind, entity, detail);
  }
}
