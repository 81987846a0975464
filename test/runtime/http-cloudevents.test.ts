// The HTTP ingress as a CloudEvents receiver (in-process, memory transport): events serialized by
// the official SDK (`cloudevents`, HTTP binding) in binary and structured mode keep their id,
// source, time, subject and extensions; a repeated (source, id) publishes nothing; a type
// contradicting the path, or missing attributes, get 400.
import { CloudEvent, HTTP, type Message } from "cloudevents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvgenEvent } from "../../templates/runtime/core/handlers.js";
import { createMemoryTransport, type MemoryTransport } from "../../templates/runtime/memory/transport.js";
import { startService, type ServiceHandle } from "../../templates/runtime/core/service.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { ORDER_ID, order, shopService } from "./fixtures.js";

const service = shopService({ mailer: { on: ["order.created", "order.shipped"] } });
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

let handle: ServiceHandle;
let memory: MemoryTransport;
let url: string;
const received: EvgenEvent[] = [];

beforeAll(async () => {
  handle = await startService({
    service,
    brokerConfig: kafkaConfig,
    env: { PORT: "0", EVGEN_TRANSPORT: "memory", LOG_LEVEL: "silent" },
    createTransport: (_config, log) => (memory = createMemoryTransport({ service, log, timeScale: 0 })),
    handlers: {
      mailer: {
        "order.created": (event) => void received.push(event),
        "order.shipped": (event) => void received.push(event),
      },
    },
  });
  url = `http://127.0.0.1:${handle.port}`;
});

afterAll(() => handle?.stop());

let serial = 0;
function sdkEvent(attributes: Record<string, unknown> = {}): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    id: `ce-${++serial}-${Date.now()}`,
    source: "/checkout",
    type: "order.created",
    time: "2030-01-02T03:04:05.678Z",
    subject: "cart-17",
    partnerid: "p42",
    datacontenttype: "application/json",
    data: order(),
    ...attributes,
  });
}

function send(path: string, message: Message, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { ...(message.headers as Record<string, string>), ...headers },
    body: message.body as string,
  });
}

async function handled(id: string): Promise<EvgenEvent[]> {
  await memory.idle();
  return received.filter((event) => event.id === id);
}

describe("HTTP ingress: CloudEvents", () => {
  for (const [mode, serialize] of [
    ["binary", HTTP.binary],
    ["structured", HTTP.structured],
  ] as const) {
    it(`publishes a ${mode}-mode event with the id, source, time, subject and extensions it came with`, async () => {
      const event = sdkEvent();
      const res = await send("/events/order.created", serialize(event), { traceparent: TRACEPARENT });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ id: event.id });
      expect(await handled(event.id)).toEqual([
        expect.objectContaining({
          id: event.id,
          source: "/checkout",
          type: "order.created",
          time: "2030-01-02T03:04:05.678Z",
          subject: "cart-17",
          extensions: { partnerid: "p42" },
          traceparent: TRACEPARENT,
          dataversion: 1,
          data: { ...order(), currency: "EUR" },
          key: ORDER_ID,
        }),
      ]);
    });

    it(`takes a ${mode}-mode event on POST /events, its type from the event`, async () => {
      const event = sdkEvent({ type: "order.shipped", data: { orderId: ORDER_ID, carrier: "ups" }, dataversion: "1" });
      const res = await send("/events", serialize(event));
      expect(res.status).toBe(202);
      expect(await handled(event.id)).toEqual([expect.objectContaining({ type: "order.shipped", dataversion: 1 })]);
    });

    it(`treats a repeated (source, id) in ${mode} mode as the same event: 202, nothing published`, async () => {
      const event = sdkEvent();
      expect((await send("/events/order.created", serialize(event))).status).toBe(202);
      const count = memory.published().length;
      const again = await send("/events/order.created", serialize(event));
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual({ id: event.id });
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(memory.published().length).toBe(count);
      // Another source may use the same id: another event.
      const other = sdkEvent({ id: event.id, source: "/elsewhere" });
      expect((await send("/events/order.created", serialize(other))).status).toBe(202);
      expect(memory.published().length).toBe(count + 1);
    });

    it(`refuses a ${mode}-mode event whose type contradicts the path (400), publishing nothing`, async () => {
      const count = memory.published().length;
      const event = sdkEvent({ type: "order.shipped", data: { orderId: ORDER_ID, carrier: "ups" } });
      const res = await send("/events/order.created", serialize(event));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: `the CloudEvent's type "order.shipped" is not the path's "order.created"`,
      });
      expect(memory.published().length).toBe(count);
    });
  }

  it("refuses a binary-mode event without its required attributes, or with an invalid payload", async () => {
    const headers = { "content-type": "application/json", "ce-id": "x-1", "ce-type": "order.created" };
    const missing = await fetch(`${url}/events/order.created`, {
      method: "POST",
      headers,
      body: JSON.stringify(order()),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "missing CloudEvents attribute(s): source, specversion" });

    const invalid = await send("/events/order.created", HTTP.binary(sdkEvent({ data: { orderId: "nope" } })));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: "invalid order.created event" });
  });

  it("refuses a CloudEvent claiming the service's own source, which only its publisher uses", async () => {
    const res = await send("/events/order.created", HTTP.structured(sdkEvent({ source: "/shop" })));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'source "/shop" is this service\'s own: post the data as JSON instead' });
  });

  it("answers 415 to binary-mode data that is not JSON, and to batched CloudEvents", async () => {
    const event = sdkEvent({ datacontenttype: "text/plain", data: "hello" });
    const res = await send("/events/order.created", HTTP.binary(event));
    expect(res.status).toBe(415);
    const batch = await fetch(`${url}/events`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents-batch+json" },
      body: `[${sdkEvent().toString()}]`,
    });
    expect(batch.status).toBe(415);
    expect(await batch.json()).toEqual({
      error: "batched CloudEvents are not accepted: post each event, or a JSON array of { type, data } to /events",
    });
  });
});
