// The providers' adapters: one per channel, each a fake that logs what a real one would send.
// - email always accepts;
// - sms fails now and then (the first attempt at one message in four: a timeout, say), and
//   fails every call while FAKE_SMS_OUTAGE=true, as during an outage: the circuit breaker of
//   send-sms opens and the messages wait;
// - push refuses a device token starting with "invalid-" for good (NonRetryableError: straight to
//   the dead letter; retrying would not help).
import { createHash, randomUUID } from "node:crypto";
import type { Channel } from "../store/store.js";

export interface Message {
  notificationId: string;
  to: string;
  text: string;
  /** 1 for the first delivery of the event, as ctx.attempt. */
  attempt: number;
}

export interface Provider {
  send(message: Message): Promise<{ providerId: string }>;
}

/** Temporary: worth retrying. */
export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
}
/** Permanent: the address or token is not valid. */
export class InvalidRecipientError extends Error {
  override name = "InvalidRecipientError";
}

const log = (channel: Channel, message: Message) =>
  console.log(
    JSON.stringify({
      msg: `fake ${channel} provider: sent`,
      to: message.to,
      text: message.text,
    }),
  );

/** One message in four, the same ones every run: their first attempt fails. */
const unlucky = (id: string) =>
  createHash("sha256").update(id).digest()[0]! % 4 === 0;

export function createProviders(
  env: NodeJS.ProcessEnv = process.env,
): Record<Channel, Provider> {
  const smsDown = env.FAKE_SMS_OUTAGE === "true";
  return {
    email: {
      async send(message) {
        log("email", message);
        return { providerId: `mail-${randomUUID()}` };
      },
    },
    sms: {
      async send(message) {
        if (smsDown)
          throw new ProviderUnavailableError("SMS provider unavailable");
        if (message.attempt === 1 && unlucky(message.notificationId))
          throw new ProviderUnavailableError("SMS provider timed out");
        log("sms", message);
        return { providerId: `sms-${randomUUID()}` };
      },
    },
    push: {
      async send(message) {
        if (message.to.startsWith("invalid-"))
          throw new InvalidRecipientError(
            `device token ${message.to} is not registered`,
          );
        log("push", message);
        return { providerId: `push-${randomUUID()}` };
      },
    },
  };
}
