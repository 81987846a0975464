// Which channels a trigger goes out on, and the id of each notification: derived from the
// trigger's event id and the channel, so that a redelivered trigger asks for the same ones.
import { createHash } from "node:crypto";
import type { Recipient } from "../generated/events.js";
import type { Channel } from "../store/store.js";

/** A UUID (version 5 layout) from a name: the same name always gives the same id. */
export function nameBasedId(name: string): string {
  const bytes = createHash("sha1")
    .update(`notifications/${name}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The channels the recipient can be reached on, of those the trigger wants. */
export function channelsFor(
  recipient: Recipient,
  wanted: Channel[],
): Channel[] {
  const reachable: Record<Channel, boolean> = {
    email: recipient.email !== undefined,
    sms: recipient.phone !== undefined,
    push: recipient.deviceToken !== undefined,
  };
  return wanted.filter((channel) => reachable[channel]);
}
