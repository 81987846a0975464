// When an order ships: once it was placed, its stock reserved and its payment confirmed, in any
// order of arrival. Namespace "shipping", document `order:<id>`.
import type { Address } from "../generated/events.js";
import type { Change, Json } from "../state/store.js";

export interface Shipment {
  shipTo?: Address;
  reserved: boolean;
  paid: boolean;
  /** Set once: the carrier, and the id of the event whose handling shipped it. */
  shipped?: { carrier: string; trackingUrl: string; by: string };
}

export type Fact =
  { kind: "placed"; shipTo: Address } | { kind: "reserved" } | { kind: "paid" };

/** Carriers by destination country; the rest go with the default. */
const CARRIERS: Record<string, string> = {
  DE: "dhl",
  AT: "dhl",
  FR: "colissimo",
};

export const shipmentKey = (orderId: string) => `order:${orderId}`;

/**
 * Records `fact` (learnt from event `eventId`) and ships when the order has all three. Returns the
 * shipment to announce, or undefined: only the event that shipped the order announces it, again
 * when that event is redelivered, so the announcement keeps its id.
 */
export function learn(
  orderId: string,
  eventId: string,
  fact: Fact,
  current: Record<string, Json | undefined>,
): Change<Shipment["shipped"]> {
  const before = (current[shipmentKey(orderId)] as Shipment | undefined) ?? {
    reserved: false,
    paid: false,
  };
  if (before.shipped)
    return {
      writes: {},
      result: before.shipped.by === eventId ? before.shipped : undefined,
    };
  const after: Shipment = {
    ...before,
    ...(fact.kind === "placed" ? { shipTo: fact.shipTo } : {}),
    reserved: before.reserved || fact.kind === "reserved",
    paid: before.paid || fact.kind === "paid",
  };
  if (after.shipTo && after.reserved && after.paid) {
    const carrier = CARRIERS[after.shipTo.country] ?? "ups";
    after.shipped = {
      carrier,
      trackingUrl: `https://track.example.com/${carrier}/${orderId}`,
      by: eventId,
    };
  }
  return { writes: { [shipmentKey(orderId)]: after }, result: after.shipped };
}
