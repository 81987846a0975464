// HTTP ingress of a running service (in-process, memory transport): publishing over HTTP, the
// error statuses, health, readiness and metrics.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createMemoryTransport, type MemoryTransport } from "../../templates/runtime/memory/transport.js";
import { startService, type ServiceHandle } from "../../templates/runtime/core/service.js";
import type { EvgenEvent } from "../../templates/runtime/core/handlers.js";
import { UndeliverableError } from "../../templates/runtime/core/errors.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { ORDER_ID, order, shopService } from "./fixtures.js";

const TOKEN = "test-token-0123456789";
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const service = shopService({
  mailer: { on: ["order.created"] },
  picky: { on: ["order.created"], retry: { attempts: 2, delaysMs: [1] } },
});

let handle: ServiceHandle;
let memory: MemoryTransport;
let brokerUp = true;
let publishFailure: Error | undefined;
const received: EvgenEvent[] = [];
let base: string;

beforeAll(async () => {
  handle = await startService({
    service,
    brokerConfig: kafkaConfig,
    env: {
      PORT: "0",
      EVGEN_TRANSPORT: "memory",
      EVGEN_API_TOKEN: TOKEN,
      HTTP_BODY_LIMIT: "2048",
      HTTP_BUFFER_LIMIT: "4096",
      HTTP_BODY_TIMEOUT: "1000",
      LOG_LEVEL: "silent",
    },
    createTransport: (_config, log) => {
      memory = createMemoryTransport({ service, log, timeScale: 0 });
      return {
        ...memory,
        isReady: () => brokerUp && memory.isReady(),
        publish: (messages) => (publishFailure ? Promise.reject(publishFailure) : memory.publish(messages)),
      };
    },
    handlers: {
      mailer: { "order.created": (event) => void received.push(event) },
      picky: {
        "order.created": () => {
          throw new Error("never happy");
        },
      },
    },
  });
  base = `http://127.0.0.1:${handle.port}`;
});

afterAll(() => handle?.stop());

const auth = { authorization: `Bearer ${TOKEN}` };

function post(path: string, body: string, headers: Record<string, string> = auth) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

/**
 * A POST of an order.created body announced as `length` bytes of which only `start` is sent: the
 * first response line, and whether the server closed the connection.
 */
async function rawPost(base: string, length: number, start: string) {
  const socket = net.connect(Number(new URL(base).port), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(
    `POST /events/order.created HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\n` +
      `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n${start}`,
  );
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  socket.on("error", () => undefined);
  const closed = new Promise<boolean>((resolve) => socket.once("close", () => resolve(true)));
  const response = new Promise<string>((resolve) => {
    socket.on("data", () => text.includes("\r\n") && resolve(text.split("\r\n")[0]!));
    void closed.then(() => resolve(text.split("\r\n")[0]!));
  });
  return { response, closed };
}

describe("HTTP ingress", () => {
  it("publishes a POSTed event: 202 with its id, handled with the request's traceparent", async () => {
    const res = await post("/events/order.created", JSON.stringify(order()), {
      ...auth,
      traceparent: TRACEPARENT,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await memory.idle();

    expect(received.find((e) => e.id === id)).toMatchObject({
      type: "order.created",
      source: "/shop",
      data: { orderId: ORDER_ID, currency: "EUR" },
      traceparent: TRACEPARENT,
    });
  });

  it("answers 400 with the issues for a payload failing its schema", async () => {
    const res = await post("/events/order.created", JSON.stringify({ orderId: "nope", userId: "u", total: -3 }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ path: string; message: string }> };
    expect(body.issues.map((i) => i.path).sort()).toEqual(["orderId", "total"]);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await post("/events/order.created", "{oops");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "body is not valid JSON" });
  });

  it("answers 401 without the bearer token or with a wrong one, and publishes nothing", async () => {
    const before = memory.published().length;
    expect((await post("/events/order.created", JSON.stringify(order()), {})).status).toBe(401);
    const wrong = await post("/events/order.created", JSON.stringify(order()), {
      authorization: `Bearer ${TOKEN}x`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe("Bearer");
    expect(memory.published().length).toBe(before);
  });

  it("answers 404 for an unknown event type", async () => {
    const res = await post("/events/order.exploded", "{}");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'unknown event type "order.exploded"' });
  });

  it("answers 404 for names every object has (constructor, __proto__, toString)", async () => {
    for (const type of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const res = await post(`/events/${type}`, JSON.stringify(order()));
      expect(res.status, type).toBe(404);
      expect(await res.json()).toEqual({ error: `unknown event type "${type}"` });
    }
  });

  it("answers 415 to a body that is not declared JSON (what a web page can post cross-site), and publishes nothing", async () => {
    const before = memory.published().length;
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await post("/events/order.created", JSON.stringify(order()), { ...auth, "content-type": type });
      expect(res.status, type).toBe(415);
    }
    const res = await post("/events/order.created", JSON.stringify(order()), {
      ...auth,
      "content-type": "Application/JSON; charset=utf-8",
    });
    expect(res.status).toBe(202);
    expect(memory.published().length).toBe(before + 1);
  });

  it("answers 400 to JSON nested too deep and to a body that is not UTF-8", async () => {
    const deep = JSON.stringify({ ...order(), extra: JSON.parse("[".repeat(500) + "]".repeat(500)) });
    const nested = await post("/events/order.created", deep.length > 2048 ? "[".repeat(1000) + "]".repeat(1000) : deep);
    expect(nested.status).toBe(400);
    expect(await nested.json()).toEqual({
      error: "body is not valid JSON",
      issues: [{ path: "", message: "nested deeper than 64 levels" }],
    });
    const latin1 = await fetch(`${base}/events/order.created`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(order({ userId: "Jos\u00e9" })), "latin1"),
    });
    expect(latin1.status).toBe(400);
    expect(await latin1.json()).toMatchObject({ issues: [{ message: "body is not UTF-8" }] });
  });

  it("answers 408 to a body that does not arrive in time, and closes the connection", async () => {
    const slow = await rawPost(base, 1000, '{"orderId":');
    expect(await slow.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(await slow.closed).toBe(true);
  });

  it("answers 503 while the bodies in flight fill the buffer limit, and takes bodies again after", async () => {
    // Two bodies announced at 2040 bytes each hold 4080 of the 4096 bytes, arriving slowly.
    const holding = [await rawPost(base, 2040, "{"), await rawPost(base, 2040, "{")];
    try {
      // Once the server has begun reading both (a moment after they connected).
      await vi.waitFor(
        async () => {
          const refused = await post("/events/order.created", JSON.stringify(order()));
          expect(refused.status).toBe(503);
          expect(refused.headers.get("retry-after")).toBe("1");
          expect(await refused.json()).toEqual({ error: "too many request bodies in flight, try again" });
        },
        { timeout: 800, interval: 20 },
      );
    } finally {
      for (const request of holding) await request.response; // 408 once their time is up
    }
    expect((await post("/events/order.created", JSON.stringify(order()))).status).toBe(202);
  });

  it("answers 413 for a body over the limit, announced or streamed", async () => {
    const big = JSON.stringify({ ...order(), padding: "x".repeat(4096) });
    expect((await post("/events/order.created", big)).status).toBe(413);

    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode("x".repeat(512)));
        controller.close();
      },
    });
    const streamed = await fetch(`${base}/events/order.created`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("answers 503 when the broker did not confirm, and 500 naming the cause when it never will", async () => {
    try {
      publishFailure = new Error("connection lost");
      const lost = await post("/events/order.created", JSON.stringify(order()));
      expect(lost.status).toBe(503);
      expect(await lost.json()).toEqual({ error: "the event could not be published, try again" });

      publishFailure = new UndeliverableError('no queue is bound to routing key "order.created"');
      const unroutable = await post("/events/order.created", JSON.stringify(order()));
      expect(unroutable.status).toBe(500);
      expect(await unroutable.json()).toEqual({ error: 'no queue is bound to routing key "order.created"' });
    } finally {
      publishFailure = undefined;
    }
  });

  it("serves /healthz, and /readyz only while the transport is ready", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    brokerUp = false;
    try {
      const res = await fetch(`${base}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "not ready", waitingFor: ["broker"] });
    } finally {
      brokerUp = true;
    }
  });

  it("counts what happened in /metrics", async () => {
    await memory.idle();
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}.]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);

    const published = memory.published().filter((m) => m.attributes.type === "order.created").length;
    expect(published).toBeGreaterThan(0);
    expect(value('evgen_events_published_total{type="order.created"}')).toBe(published);
    expect(value('evgen_events_handled_total{type="order.created",consumer="mailer"}')).toBe(published);
    expect(value('evgen_events_failed_total{type="order.created",consumer="picky",kind="error"}')).toBe(2 * published);
    expect(value('evgen_events_retried_total{type="order.created",consumer="picky"}')).toBe(published);
    expect(value('evgen_events_dead_lettered_total{type="order.created",consumer="picky",kind="error"}')).toBe(
      published,
    );
    expect(value('evgen_handler_duration_seconds_count{type="order.created",consumer="mailer"}')).toBe(published);
  });

  it("rejects other methods with 405", async () => {
    const res = await fetch(`${base}/events/order.created`, { headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
