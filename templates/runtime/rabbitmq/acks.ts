// Acks of one channel, coalesced per event-loop turn: a single basic.ack with `multiple` for the
// run of finished deliveries starting at the oldest unsettled one, single acks for the finished
// ones behind a delivery still in progress. Far fewer frames for the broker to process, and the
// same guarantee: a delivery is acked only once it is finished, never because a neighbour was.
import type { Channel, Message } from "amqplib";

interface Unsettled {
  message: Message;
  finished: boolean;
}

export class AckBatcher {
  /** By delivery tag; a Map iterates in insertion order, which is delivery order on a channel. */
  private readonly unsettled = new Map<number, Unsettled>();
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  delivered(message: Message): void {
    this.unsettled.set(message.fields.deliveryTag, { message, finished: false });
  }

  ack(message: Message): void {
    const entry = this.unsettled.get(message.fields.deliveryTag);
    if (!entry) return;
    entry.finished = true;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Returns the delivery to the queue at once (a nack is never coalesced). */
  requeue(message: Message): void {
    this.unsettled.delete(message.fields.deliveryTag);
    try {
      this.channel.nack(message, false, true);
    } catch {
      // The channel is closing: that requeues it as well.
    }
  }

  /** Sends the acks due now. */
  flush(): void {
    this.scheduled = false;
    let lastOfRun: Message | undefined;
    for (const [tag, entry] of this.unsettled) {
      if (!entry.finished) break;
      lastOfRun = entry.message;
      this.unsettled.delete(tag);
    }
    try {
      if (lastOfRun) this.channel.ack(lastOfRun, true);
      for (const [tag, entry] of this.unsettled) {
        if (!entry.finished) continue;
        this.channel.ack(entry.message);
        this.unsettled.delete(tag);
      }
    } catch {
      // The channel closed meanwhile: the broker redelivers these deliveries on another one.
    }
  }
}
