// The built service as a CloudEvents receiver: the official SDK (`cloudevents`) emits events over
// HTTP in binary and structured mode, and the handlers get them with what the SDK sent (id,
// source, time, subject, extensions); a repeated (source, id) is one event, a type contradicting
// the path is refused. Run inside describeService (service-scenario.ts) on each broker.
import { randomUUID } from "node:crypto";
import { CloudEvent, emitterFor, Mode, type Message } from "cloudevents";
import { expect, it } from "vitest";
import { waitFor } from "../support/wait.js";
import { recorded, type RunningService } from "./service-support.js";

interface Handled {
  consumer: string;
  event: {
    id: string;
    source: string;
    time?: string;
    subject?: string;
    extensions?: Record<string, string>;
    data: { orderId: string };
  };
}

interface Sent {
  status: number;
  body: string;
}

/** The SDK's emitter over fetch, so that the test sees the status (its httpTransport hides it). */
function emitter(url: string, mode: Mode, headers: Record<string, string>) {
  const transport = async (message: Message): Promise<Sent> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...(message.headers as Record<string, string>), ...headers },
      body: message.body as string,
    });
    return { status: res.status, body: await res.text() };
  };
  return emitterFor(transport, { mode }) as (event: CloudEvent<unknown>) => Promise<Sent>;
}

export function cloudEventsIngressTests(context: {
  service(): RunningService;
  log(): string;
  auth: Record<string, string>;
}): void {
  const handledBy = (consumer: string, source: string, id: string) =>
    recorded<Handled>(context.log()).filter(
      (line) => line.consumer === consumer && line.event.id === id && line.event.source === source,
    );
  const sdkEvent = (type = "order.created") =>
    new CloudEvent<unknown>({
      id: `ce-${randomUUID()}`,
      source: "/checkout/eu",
      type,
      time: "2030-01-02T03:04:05.678Z",
      subject: "cart-17",
      partnerid: "p42",
      datacontenttype: "application/json",
      data: { orderId: randomUUID(), userId: "ada" },
    });

  for (const [mode, path] of [
    [Mode.BINARY, "/events/order.created"],
    [Mode.STRUCTURED, "/events"],
  ] as const) {
    it(`keeps what the CloudEvents SDK sent in ${mode} mode to ${path}, and handles a repeated (source, id) once`, async () => {
      const emit = emitter(context.service().url(path), mode, context.auth);
      const event = sdkEvent();
      const first = await emit(event);
      expect(first.status, first.body).toBe(202);
      expect(JSON.parse(first.body)).toEqual({ id: event.id });
      const again = await emit(event);
      expect(again.status).toBe(202);
      expect(JSON.parse(again.body)).toEqual({ id: event.id });

      await waitFor(() => handledBy("auditor", event.source, event.id).length === 1, 30_000, "the event");
      expect(handledBy("auditor", event.source, event.id)[0]!.event).toMatchObject({
        id: event.id,
        source: "/checkout/eu",
        time: "2030-01-02T03:04:05.678Z",
        subject: "cart-17",
        extensions: { partnerid: "p42" },
        data: event.data as object,
      });
      // A second copy would have reached the handler by now.
      const settled = Date.now() + 1500;
      await waitFor(() => Date.now() > settled, 5000, "a moment");
      expect(handledBy("auditor", event.source, event.id)).toHaveLength(1);
      expect(handledBy("mailer", event.source, event.id)).toHaveLength(1);
    });
  }

  it("refuses a CloudEvent whose type contradicts the path, or that is not valid, publishing nothing", async () => {
    const contradicting = sdkEvent("notification.sent");
    const binary = await emitter(
      context.service().url("/events/order.created"),
      Mode.BINARY,
      context.auth,
    )(contradicting);
    expect(binary.status).toBe(400);
    expect(JSON.parse(binary.body)).toEqual({
      error: `the CloudEvent's type "notification.sent" is not the path's "order.created"`,
    });
    const structured = await emitter(
      context.service().url("/events/order.created"),
      Mode.STRUCTURED,
      context.auth,
    )(contradicting);
    expect(structured.status).toBe(400);

    const invalid = new CloudEvent<unknown>({
      source: "/checkout/eu",
      type: "order.created",
      data: { orderId: "nope" },
    });
    const refused = await emitter(context.service().url("/events"), Mode.STRUCTURED, context.auth)(invalid);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "invalid order.created event" });
    const settled = Date.now() + 1000;
    await waitFor(() => Date.now() > settled, 5000, "a moment");
    expect(handledBy("auditor", "/checkout/eu", contradicting.id)).toEqual([]);
    expect(handledBy("auditor", "/checkout/eu", invalid.id)).toEqual([]);
  });
}
