// Who may publish what over HTTP, and how often: events a consumer emits are not accepted, API
// clients limited to some types, Idempotency-Key repeats and POST /events batches (in-process,
// memory transport).
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryTransport, type MemoryTransport } from "../../templates/runtime/memory/transport.js";
import { startService, type ServiceHandle } from "../../templates/runtime/core/service.js";
import { metricValue } from "../e2e/service-support.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { order, shopService } from "./fixtures.js";

const SHOP = "shop-token-0123456789";
const OPS = "ops-token-0123456789";
const base = shopService({ mailer: { on: ["order.created"], emits: ["notification.sent"] } });
// As the generator writes it: notification.sent is emitted by mailer, so not accepted over HTTP.
const service = {
  ...base,
  events: { ...base.events, "notification.sent": { ...base.events["notification.sent"]!, http: false } },
};

let handle: ServiceHandle;
let memory: MemoryTransport;
let url: string;
/** Holds every publish this long (a broker slow to confirm). */
let publishDelayMs = 0;

beforeAll(async () => {
  handle = await startService({
    service,
    brokerConfig: kafkaConfig,
    env: {
      PORT: "0",
      EVGEN_TRANSPORT: "memory",
      EVGEN_API_TOKENS: `shop:${SHOP}:order.created,ops:${OPS}`,
      LOG_LEVEL: "silent",
    },
    createTransport: (_config, log) => {
      memory = createMemoryTransport({ service, log, timeScale: 0 });
      return {
        ...memory,
        publish: async (messages) => {
          if (publishDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, publishDelayMs));
          return memory.publish(messages);
        },
      };
    },
    handlers: { mailer: { "order.created": () => undefined } },
  });
  url = `http://127.0.0.1:${handle.port}`;
});

afterAll(() => handle?.stop());

function post(path: string, body: unknown, token: string, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Waits for a condition, at most 5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !condition(); await sleep(10)) {
    if (Date.now() > deadline) throw new Error("timed out");
  }
}

const publishedIds = () => memory.published().map((message) => message.attributes.id);
const metric = async (name: string, labels: Record<string, string>) =>
  metricValue(await (await fetch(`${url}/metrics`)).text(), name, labels);
const shipped = { orderId: "6f1c1b0e-8a0e-4c53-9a4e-1d2f3a4b5c6d", carrier: "ups" };

describe("HTTP ingress: who may publish what", () => {
  it("answers 404 to an event the spec does not accept over HTTP, whoever asks", async () => {
    const res = await post("/events/notification.sent", { orderId: shipped.orderId, channel: "email" }, OPS);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'event type "notification.sent" is not accepted over HTTP' });
  });

  it("lets a client publish the types it is limited to, answers 403 to others, and counts by client name", async () => {
    const before = await metric("evgen_http_requests_total", { client: "shop", status: "403" });
    const ok = await post("/events/order.created", order(), SHOP);
    expect(ok.status).toBe(202);
    const refused = await post("/events/order.shipped", shipped, SHOP);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "client shop may not publish order.shipped" });
    expect((await post("/events/order.shipped", shipped, OPS)).status).toBe(202);
    expect((await post("/events/order.shipped", shipped, `${OPS}x`)).status).toBe(401);

    expect(await metric("evgen_http_requests_total", { client: "shop", status: "403" })).toBe(before + 1);
    expect(
      await metric("evgen_http_events_accepted_total", { client: "ops", type: "order.shipped" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metric("evgen_http_requests_total", { client: "unauthenticated", status: "401" }),
    ).toBeGreaterThanOrEqual(1);
    expect(await (await fetch(`${url}/metrics`)).text()).not.toContain(SHOP);
  });
});

describe("HTTP ingress: Idempotency-Key", () => {
  it("answers a repeat with the first id and publishes nothing new", async () => {
    const key = { "idempotency-key": `order-${Date.now()}` };
    const first = await post("/events/order.created", order(), SHOP, key);
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const count = memory.published().length;

    const again = await post("/events/order.created", order(), SHOP, key);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ id });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(memory.published().length).toBe(count);
    expect(publishedIds().filter((published) => published === id)).toHaveLength(1);
  });

  it("publishes once when the same key arrives again while the first is still publishing", async () => {
    const key = { "idempotency-key": `race-${Date.now()}` };
    const count = memory.published().length;
    publishDelayMs = 200;
    const answers = await Promise.all([1, 2, 3].map(() => post("/events/order.created", order(), OPS, key))).finally(
      () => (publishDelayMs = 0),
    );
    const bodies = await Promise.all(answers.map((res) => res.json()));
    expect(answers.map((res) => res.status)).toEqual([202, 202, 202]);
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(memory.published().length).toBe(count + 1);
  });

  it("keeps one client's keys apart from another's, refuses a key reused for another request (422) and a malformed key (400)", async () => {
    const key = { "idempotency-key": `shared-${Date.now()}` };
    const shop = (await (await post("/events/order.created", order(), SHOP, key)).json()) as { id: string };
    const ops = (await (await post("/events/order.created", order(), OPS, key)).json()) as { id: string };
    expect(ops.id).not.toBe(shop.id);

    const other = await post("/events/order.created", order({ userId: "someone-else" }), SHOP, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({ error: "this Idempotency-Key was used with another request within 24 hours" });

    const bad = await post("/events/order.created", order(), SHOP, { "idempotency-key": "é".repeat(3) });
    expect(bad.status).toBe(400);
  });

  it("publishes again after a refused request: only accepted requests are remembered", async () => {
    const key = { "idempotency-key": `fix-${Date.now()}` };
    expect((await post("/events/order.created", { orderId: "nope" }, SHOP, key)).status).toBe(400);
    const fixed = await post("/events/order.created", order(), SHOP, key);
    expect(fixed.status).toBe(202);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("HTTP ingress: POST /events batches", () => {
  it("publishes every event of a batch and answers their ids in order", async () => {
    const count = memory.published().length;
    const res = await post(
      "/events",
      [
        { type: "order.created", data: order() },
        { type: "order.shipped", data: shipped },
      ],
      OPS,
    );
    expect(res.status).toBe(202);
    const { ids } = (await res.json()) as { ids: string[] };
    expect(ids).toHaveLength(2);
    expect(
      memory
        .published()
        .slice(count)
        .map((message) => [message.attributes.id, message.attributes.type]),
    ).toEqual([
      [ids[0], "order.created"],
      [ids[1], "order.shipped"],
    ]);
  });

  it("publishes nothing when one item is invalid, naming each item's issues by index", async () => {
    const count = memory.published().length;
    const res = await post(
      "/events",
      [
        { type: "order.created", data: order() },
        { type: "order.shipped", data: { orderId: "nope", carrier: "ups" } },
        { type: "order.created", data: order({ total: -1 }) },
      ],
      OPS,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ path: string }> };
    expect(body.issues.map((issue) => issue.path)).toEqual(["1.data.orderId", "2.data.total"]);
    expect(memory.published().length).toBe(count);
  });

  it("refuses a batch holding a type the client may not publish (403) or the ingress does not accept (404)", async () => {
    const count = memory.published().length;
    const forbidden = await post(
      "/events",
      [
        { type: "order.created", data: order() },
        { type: "order.shipped", data: shipped },
      ],
      SHOP,
    );
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      error: "client shop may not publish order.shipped",
      issues: [{ path: "1.type", message: "client shop may not publish order.shipped" }],
    });
    const hidden = await post("/events", [{ type: "notification.sent", data: {} }], OPS);
    expect(hidden.status).toBe(404);
    expect(memory.published().length).toBe(count);
  });

  it("refuses what is not a batch (400) and more than 100 events (413)", async () => {
    expect((await post("/events", { type: "order.created", data: order() }, OPS)).status).toBe(400);
    expect((await post("/events", [], OPS)).status).toBe(400);
    const malformed = await post("/events", [{ type: "order.created", data: order(), id: "x" }, { data: {} }], OPS);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path)).toEqual(
      ["0", "1"],
    );
    const many = await post(
      "/events",
      Array.from({ length: 101 }, () => ({ type: "order.created", data: order() })),
      OPS,
    );
    expect(many.status).toBe(413);
    expect(await many.json()).toEqual({ error: "a batch holds at most 100 events (got 101)" });
  });

  it("answers 413 to a body over the limit and reads the rest, so a client still sending gets the answer", async () => {
    // A server that closes while the client is still writing resets the connection: the client
    // sees EPIPE instead of the 413. Here the body is sent in pieces after the answer came.
    const { hostname, port } = new URL(url);
    const size = 3 * 1024 * 1024;
    const socket = connect(Number(port), hostname);
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    const failed = new Promise<Error>((resolve) => socket.on("error", resolve));
    socket.write(
      `POST /events/order.created HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
        `authorization: Bearer ${OPS}\r\ncontent-length: ${size}\r\n\r\n`,
    );
    await until(() => answer.includes("\r\n\r\n"));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    const piece = Buffer.alloc(256 * 1024, "x");
    const sent = (async () => {
      for (let written = 0; written < size; written += piece.length) {
        await new Promise<void>((resolve, reject) =>
          socket.write(piece, (error) => (error ? reject(error) : resolve())),
        );
        await sleep(5);
      }
      return "sent";
    })();
    expect(await Promise.race([sent, failed.then((error) => `failed: ${error.message}`)])).toBe("sent");
    socket.destroy();
    expect((await post("/events/order.created", order(), OPS)).status).toBe(202);
  });

  it("answers a repeated batch with the first ids, publishing nothing new", async () => {
    const key = { "idempotency-key": `batch-${Date.now()}` };
    const items = [
      { type: "order.created", data: order() },
      { type: "order.created", data: order({ userId: "u-2" }) },
    ];
    const first = (await (await post("/events", items, OPS, key)).json()) as { ids: string[] };
    const count = memory.published().length;
    const again = await post("/events", items, OPS, key);
    expect(await again.json()).toEqual(first);
    expect(memory.published().length).toBe(count);
  });
});
