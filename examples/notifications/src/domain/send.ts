// What the three send-* consumers share: skip a user who turned the channel off (counted in
// evgen_events_skipped_total{reason="opted-out"}), render the template, hand the message to the
// channel's provider, and say it was sent. A provider's temporary failure throws (retried); a
// permanent one is a NonRetryableError (dead letter at once).
import type { NotificationRequested } from "../generated/events.js";
import { NonRetryableError } from "../generated/index.js";
import {
  InvalidRecipientError,
  type Provider,
} from "../providers/providers.js";
import type { Channel, NotificationStore } from "../store/store.js";
import { render } from "./templates.js";

export interface SendContext {
  attempt: number;
  skip(reason: string): void;
  publish(
    type: "notification.sent",
    data: {
      notificationId: string;
      channel: Channel;
      userId: string;
      providerId: string;
      sentAt: string;
    },
  ): Promise<string>;
}

const addressOf = (request: NotificationRequested, channel: Channel) =>
  channel === "email"
    ? request.recipient.email
    : channel === "sms"
      ? request.recipient.phone
      : request.recipient.deviceToken;

export async function send(
  channel: Channel,
  request: NotificationRequested,
  ctx: SendContext,
  deps: { store: NotificationStore; provider: Provider },
): Promise<void> {
  const { notificationId, recipient } = request;
  if (!(await deps.store.wants(recipient.userId, channel))) {
    await deps.store.recordOutcome(notificationId, {
      status: "skipped",
      reason: "opted-out",
    });
    ctx.skip("opted-out");
    return;
  }
  const text = render(request.template, recipient.locale, request.variables);
  if (text === undefined)
    throw new NonRetryableError(`no template "${request.template}"`);
  const to = addressOf(request, channel);
  if (to === undefined)
    throw new NonRetryableError(
      `no ${channel} address for ${recipient.userId}`,
    );
  try {
    const { providerId } = await deps.provider.send({
      notificationId,
      to,
      text,
      attempt: ctx.attempt,
    });
    await ctx.publish("notification.sent", {
      notificationId,
      channel,
      userId: recipient.userId,
      providerId,
      sentAt: new Date().toISOString(),
    });
  } catch (error) {
    if (error instanceof InvalidRecipientError)
      throw new NonRetryableError(error.message);
    throw error;
  }
}
