// The events the CloudEvents JS SDK interop tests send (cloudevents-sdk-*.test.ts), what each
// should reach its handler as, and a recorder of what the real pipeline decided for each.
import type { CloudEvent } from "cloudevents";
import { expect } from "vitest";
import type { EvgenEvent } from "../../templates/runtime/core/handlers.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import type {
  Delivery,
  DeliveryHandler,
  Disposition,
  ServiceDef,
  Transport,
} from "../../templates/runtime/core/types.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { ORDER_ID, order, type ConsumerSpec } from "./fixtures.js";
import { sdkEvent, type ContentMode, type WireChanges } from "../support/sdk-events.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const SHIPPED = { orderId: ORDER_ID, carrier: "dhl", trackingUrl: "https://track.example.com/1" };

/** mailer handles order.created, shipper order.shipped (versions 1 and 2); both read the orders topic. */
export const SDK_CONSUMERS: Record<string, ConsumerSpec> = {
  mailer: { on: ["order.created"], retry: { delaysMs: [] } },
  shipper: { on: ["order.shipped"], retry: { delaysMs: [] } },
};

export interface SdkCase {
  name: string;
  consumer: "mailer" | "shipper";
  mode: ContentMode;
  event: CloudEvent<unknown>;
  wire?: WireChanges;
  /** What the handler must see (a subset of the event), and the attributes it must not. */
  handled: Partial<EvgenEvent> & Record<string, unknown>;
  absent?: string[];
  broker?: "kafka" | "rabbitmq";
}

const created = (id: string, attributes: Record<string, unknown> = {}) =>
  sdkEvent({ id, type: "order.created", datacontenttype: "application/json", data: order(), ...attributes });
const shipped = (id: string, attributes: Record<string, unknown> = {}) =>
  sdkEvent({ id, type: "order.shipped", datacontenttype: "application/json", data: SHIPPED, ...attributes });
const createdData = { data: expect.objectContaining({ orderId: ORDER_ID, currency: "EUR" }) };

export const SDK_CASES: SdkCase[] = [
  {
    name: "binary, with dataversion",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-dataversion", { dataversion: "1" }),
    handled: { source: "/sdk-producer", dataversion: 1, ...createdData },
  },
  {
    name: "binary, without dataversion",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-plain"),
    handled: { dataversion: 1, ...createdData },
  },
  {
    name: "binary, without datacontenttype",
    consumer: "mailer",
    mode: "binary",
    event: sdkEvent({ id: "binary-no-content-type", type: "order.created", data: order(), dataversion: "1" }),
    handled: { dataversion: 1, ...createdData },
  },
  {
    name: "binary, without time",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-no-time", { dataversion: "1" }),
    wire: { omit: ["time"] },
    handled: { dataversion: 1, ...createdData },
    absent: ["time"],
  },
  {
    name: "binary, dataschema naming version 1 (data valid in version 2 too)",
    consumer: "shipper",
    mode: "binary",
    event: shipped("binary-dataschema", { dataschema: "https://schemas.example.com/order.shipped/v1.json" }),
    handled: { dataversion: 1, dataschema: "https://schemas.example.com/order.shipped/v1.json" },
  },
  {
    name: "binary, neither dataversion nor dataschema: the highest version accepting the data",
    consumer: "shipper",
    mode: "binary",
    event: shipped("binary-highest"),
    handled: { dataversion: 2, data: SHIPPED },
  },
  {
    name: "binary, traceparent extension",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-trace", { traceparent: TRACEPARENT, dataversion: "1" }),
    handled: { traceparent: TRACEPARENT },
  },
  {
    name: "binary, subject and extensions",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-extensions", { subject: "orders/42", tenant: "acme", dataversion: "1" }),
    handled: { subject: "orders/42", extensions: { tenant: "acme" } },
  },
  {
    name: "binary, cloudEvents: prefix",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-colon-prefix", { subject: "orders/42", dataversion: "1" }),
    wire: { prefix: "cloudEvents:" },
    handled: { subject: "orders/42", ...createdData },
    broker: "rabbitmq",
  },
  {
    name: "binary, time as an AMQP timestamp",
    consumer: "mailer",
    mode: "binary",
    event: created("binary-amqp-timestamp", { time: "2026-03-01T12:00:00.000Z", dataversion: "1" }),
    wire: { timeAsTimestamp: true },
    handled: { time: "2026-03-01T12:00:00.000Z" },
    broker: "rabbitmq",
  },
  {
    name: "structured, with dataversion",
    consumer: "mailer",
    mode: "structured",
    event: created("structured-dataversion", { dataversion: "1" }),
    handled: { dataversion: 1, source: "/sdk-producer", ...createdData },
  },
  {
    name: "structured, without dataversion, with subject, traceparent and an extension",
    consumer: "mailer",
    mode: "structured",
    event: created("structured-plain", { subject: "orders/42", tenant: "acme", traceparent: TRACEPARENT }),
    handled: { dataversion: 1, subject: "orders/42", traceparent: TRACEPARENT, extensions: { tenant: "acme" } },
  },
  {
    name: "structured, without time",
    consumer: "mailer",
    mode: "structured",
    event: created("structured-no-time"),
    wire: { omit: ["time"] },
    handled: { dataversion: 1, ...createdData },
    absent: ["time"],
  },
  {
    name: "structured, dataschema naming version 1",
    consumer: "shipper",
    mode: "structured",
    event: shipped("structured-dataschema", { dataschema: "urn:evgen:shop:order.shipped:v1" }),
    handled: { dataversion: 1, dataschema: "urn:evgen:shop:order.shipped:v1" },
  },
];

/** A structured event of another consumer's type on the shared orders topic: mailer must skip it. */
export const SHARED_TOPIC_CASE = {
  event: shipped("structured-shared-topic"),
  mode: "structured" as const,
};

/** A structured order.created whose data no version accepts: dead-lettered as invalid. */
export const INVALID_STRUCTURED = {
  event: sdkEvent({
    id: "structured-invalid",
    type: "order.created",
    datacontenttype: "application/json",
    data: { orderId: "nope" },
  }),
  mode: "structured" as const,
};

export interface Outcome {
  disposition: Disposition;
  event?: EvgenEvent;
}

/** The id of a delivery, from its attributes or its structured body. */
function deliveryId(delivery: Delivery): string {
  if (delivery.attributes.id) return delivery.attributes.id;
  try {
    return String((JSON.parse(delivery.body.toString()) as { id?: unknown }).id);
  } catch {
    return "(no id)";
  }
}

/**
 * Subscribes every consumer of `service` through the real pipeline, with handlers that keep the
 * events they see, and records what the pipeline decided for each delivery by `consumer/id`.
 */
export async function subscribeRecording(
  service: ServiceDef,
  transport: Transport,
  outcomes: Map<string, Outcome>,
): Promise<void> {
  const publisher = createPublisher<Record<string, unknown>>(service, transport);
  for (const consumer of Object.values(service.consumers)) {
    const seen = new Map<string, EvgenEvent>();
    const keep = (event: EvgenEvent) => void seen.set(event.id, event);
    const handlers = Object.fromEntries(consumer.on.map((type) => [type, keep]));
    const pipeline = createPipeline({ service, consumer, handlers, publisher, log: silentLogger });
    const recording: DeliveryHandler = async (delivery) => {
      const disposition = await pipeline(delivery);
      const id = deliveryId(delivery);
      outcomes.set(`${consumer.name}/${id}`, { disposition, ...(seen.has(id) ? { event: seen.get(id)! } : {}) });
      return disposition;
    };
    await transport.subscribe(consumer, recording);
  }
}

/** What a case came to: "handled", or the decision and its reason. */
export function describeOutcome(outcome: Outcome | undefined): string {
  if (!outcome) return "nothing";
  const { disposition } = outcome;
  if (disposition.action === "ack") return disposition.outcome;
  if (disposition.action === "retry") return `retry: ${disposition.failure.message}`;
  if (disposition.action === "release") return "release";
  return `${disposition.action}: ${disposition.failure.message}`;
}

/** Asserts the case was handled and its handler saw what the event carried. */
export function expectAccepted(sdkCase: SdkCase, outcome: Outcome | undefined): void {
  expect(describeOutcome(outcome)).toBe("handled");
  const event = outcome!.event!;
  expect(event).toMatchObject({
    id: sdkCase.event.id,
    type: sdkCase.event.type,
    specversion: "1.0",
    ...sdkCase.handled,
  });
  for (const name of sdkCase.absent ?? []) expect(event).not.toHaveProperty(name);
}
