// Dead letters on RabbitMQ, in the queue `<group>.dlq`. list takes messages without acknowledging
// them and then closes its channel, which returns them to the queue in their order: nothing is
// lost or reordered. replay moves them one at a time: a copy goes to the consumer's own
// queue through the default exchange (routing key = queue name, so no other consumer sees it),
// and the dead letter is acknowledged only after the broker confirmed the copy. A replay takes
// only the letters present when it starts: a copy that fails again comes back to this queue
// while the replay runs, marked with the run's id, and is left there for the next replay.
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from "amqplib";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Config } from "../core/config.js";
import { describeDeadLetter, replayHeaders, type DeadLetter, type DeadLetters } from "../core/dlq.js";
import { readDelivery } from "./wire.js";
import { deadLetterQueueOf, type ConsumerDef, type Logger, type ServiceDef } from "../core/types.js";

/** What RabbitMQ itself records about dead-lettering and redelivery: not part of the event. */
const isBrokerHeader = (name: string) =>
  name === "x-death" ||
  name === "x-delivery-count" ||
  name.startsWith("x-first-death-") ||
  name.startsWith("x-last-death-");

function toDeadLetter(message: GetMessage, queue: string, position: string): DeadLetter {
  const headers: Record<string, unknown> = message.properties.headers ?? {};
  const { attributes } = readDelivery({ ...message, fields: { ...message.fields, consumerTag: "" } }, queue);
  return describeDeadLetter(
    attributes,
    (name) => (headers[name] === undefined || headers[name] === null ? undefined : String(headers[name])),
    { position, body: message.content },
  );
}

/**
 * Carried by a replayed copy, and by the dead letter it becomes if it fails again (failure copies
 * keep the event's headers): which replay run sent it.
 */
const REPLAY_RUN_HEADER = "x-evgen-replay-run";

/** The dead letter as it was first published, minus its failure, for the consumer's queue. */
function replayOptions(message: GetMessage, run: string): Options.Publish {
  // Dropped: properties that would make the copy behave differently (its own TTL, a user id the
  // broker checks against this connection).
  const {
    headers = {},
    userId: _userId,
    expiration: _expiration,
    deliveryMode: _mode,
    clusterId: _cluster,
    ...properties
  } = message.properties;
  return {
    ...properties,
    persistent: true,
    mandatory: true,
    headers: { ...replayHeaders(headers, isBrokerHeader), [REPLAY_RUN_HEADER]: run },
  };
}

/** A channel on which a server-side close (a missing queue) only rejects the call that caused it. */
function quiet<C extends Channel>(channel: C): C {
  channel.on("error", () => undefined);
  return channel;
}

async function requireQueue(channel: Channel, queue: string): Promise<number> {
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch {
    throw new Error(`queue ${queue} does not exist: has the service run yet?`);
  }
}

const RETURN_WAIT_MS = 5000;

/**
 * Waits until `queue` holds `count` ready messages again. A quorum queue applies the return of
 * messages a closed channel held after the close is confirmed; until then another reader would
 * miss them, or take the ones behind them first.
 */
async function awaitReturns(model: ChannelModel, queue: string, count: number): Promise<void> {
  const channel = quiet(await model.createChannel());
  try {
    const deadline = Date.now() + RETURN_WAIT_MS;
    while ((await channel.checkQueue(queue)).messageCount < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
}

export function openRabbitDeadLetters(
  service: ServiceDef<"rabbitmq">,
  config: Config<"rabbitmq">,
  log: Logger,
): DeadLetters {
  let opening: Promise<ChannelModel> | undefined;
  const connection = () =>
    (opening ??= connect(config.amqp.url, {
      clientProperties: { connection_name: `${service.service} dlq` },
      ...(config.amqp.caFile ? { ca: [readFileSync(config.amqp.caFile)] } : {}),
    }));

  return {
    async list(consumer: ConsumerDef, limit: number) {
      const queue = deadLetterQueueOf(consumer);
      const model = await connection();
      const channel = quiet(await model.createChannel());
      let total = 0;
      try {
        total = await requireQueue(channel, queue);
        // A quorum queue puts returned messages behind those returned before: taking them all
        // returns them all, in their order.
        const take = service.rabbitmq.queueType === "quorum" ? total : Math.min(limit, total);
        const letters: DeadLetter[] = [];
        for (let taken = 0; taken < take; taken++) {
          const message = await channel.get(queue, { noAck: false });
          if (message === false) break;
          if (letters.length < limit) letters.push(toDeadLetter(message, queue, `${queue} #${taken + 1}`));
        }
        return { total, letters };
      } finally {
        // Returns every message taken above to the queue, in order.
        await channel.close().catch(() => undefined);
        if (total > 0) await awaitReturns(model, queue, total);
      }
    },

    async replay(consumer: ConsumerDef, limit: number) {
      const queue = deadLetterQueueOf(consumer);
      const model = await connection();
      const channel: ConfirmChannel = quiet(await model.createConfirmChannel());
      const run = randomUUID();
      // One publish at a time: a return seen before its confirm belongs to the copy in flight.
      let unroutable = false;
      channel.on("return", () => (unroutable = true));
      const replayed: DeadLetter[] = [];
      // Letters of this run that failed again: held unacknowledged, so that the next get moves
      // past them, and returned to the queue when the channel closes.
      let held = 0;
      try {
        await requireQueue(channel, consumer.group);
        // The letters present now, and no more: every get below takes one of them or one held.
        const present = Math.min(limit, await requireQueue(channel, queue));
        while (replayed.length < present) {
          const message = await channel.get(queue, { noAck: false });
          if (message === false) break;
          if (message.properties.headers?.[REPLAY_RUN_HEADER] === run) {
            held++;
            continue;
          }
          unroutable = false;
          await new Promise<void>((resolve, reject) => {
            channel.publish("", consumer.group, message.content, replayOptions(message, run), (err) =>
              err ? reject(err) : resolve(),
            );
          });
          // The broker returns (then confirms) a mandatory message no queue took.
          if (unroutable) {
            channel.nack(message, false, true);
            throw new Error(`queue ${consumer.group} did not take the replayed event`);
          }
          channel.ack(message);
          replayed.push(toDeadLetter(message, queue, `${queue} #${replayed.length + 1}`));
        }
        log.info({ consumer: consumer.name, count: replayed.length, to: consumer.group }, "replayed dead letters");
        return replayed;
      } finally {
        await channel.close().catch(() => undefined);
        if (held > 0) await awaitReturns(model, queue, held);
      }
    },

    async close() {
      if (!opening) return;
      const open = await opening.catch(() => undefined);
      await open?.close().catch(() => undefined);
    },
  };
}
