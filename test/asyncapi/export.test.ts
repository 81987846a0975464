import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderAsyncApi, toAsyncApi } from "../../src/asyncapi/export.js";
import { asRabbit, EXAMPLES, exampleText, fixtureText, irOf } from "./support.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function resolvePointer(root: unknown, ref: string): unknown {
  expect(ref.startsWith("#/"), ref).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, segment) => (isObj(node) ? node[segment] : undefined), root);
}

function collectRefs(node: unknown, path: string, out: Array<[string, string]>): void {
  if (Array.isArray(node)) node.forEach((item, i) => collectRefs(item, `${path}/${i}`, out));
  else if (isObj(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out.push([path, value]);
      else collectRefs(value, `${path}/${key}`, out);
    }
  }
}

/** The required fields of AsyncAPI 3.1 (asyncapi, info.title/version, server host/protocol, operation action/channel). */
function checkShape(doc: Obj): void {
  expect(doc.asyncapi).toBe("3.1.0");
  const info = doc.info as Obj;
  expect(typeof info.title).toBe("string");
  expect(typeof info.version).toBe("string");
  for (const server of Object.values(doc.servers as Obj)) {
    expect(server).toMatchObject({ host: expect.any(String), protocol: expect.any(String) });
  }
  const idPattern = /^[A-Za-z0-9.\-_]+$/;
  for (const section of ["schemas", "messages"]) {
    for (const key of Object.keys((doc.components as Obj)[section] as Obj)) expect(key).toMatch(idPattern);
  }
  for (const [id, channel] of Object.entries(doc.channels as Obj)) {
    expect(id).toMatch(idPattern);
    expect(typeof (channel as Obj).address).toBe("string");
    expect(isObj((channel as Obj).messages)).toBe(true);
  }
  for (const operation of Object.values(doc.operations as Obj) as Obj[]) {
    expect(["send", "receive"]).toContain(operation.action);
    const channelRef = (operation.channel as Obj).$ref as string;
    expect(channelRef).toMatch(/^#\/channels\//);
    // An operation's messages are a subset of its channel's messages.
    for (const message of operation.messages as Obj[])
      expect(message.$ref as string).toMatch(new RegExp(`^${channelRef}/messages/`));
  }
  for (const message of Object.values((doc.components as Obj).messages as Obj) as Obj[]) {
    expect(message).toMatchObject({
      name: expect.any(String),
      payload: { $ref: expect.any(String) },
      headers: { type: "object" },
    });
  }
  const refs: Array<[string, string]> = [];
  collectRefs(doc, "#", refs);
  expect(refs.length).toBeGreaterThan(0);
  for (const [where, ref] of refs) expect(resolvePointer(doc, ref), `${where}: ${ref}`).toBeDefined();
}

const specs: Array<[string, string]> = [
  ...EXAMPLES.map((name) => [name, exampleText(name)] as [string, string]),
  ["all-features (kafka)", fixtureText("all-features.yaml")],
  ["all-features (rabbitmq)", asRabbit(fixtureText("all-features.yaml"))],
];

describe("export asyncapi", () => {
  it.each(specs)("%s: has the required AsyncAPI 3.1 fields and every $ref resolves", (_, text) => {
    const ir = irOf(text);
    checkShape(toAsyncApi(ir));
    // The YAML and JSON texts hold the same document.
    expect(parse(renderAsyncApi(ir, "yaml"))).toEqual(JSON.parse(renderAsyncApi(ir, "json")));
  });

  it("Kafka: a channel per topic with every version of its events; key and CloudEvents headers", () => {
    const doc = toAsyncApi(irOf(exampleText("orders"))) as Obj;
    const channels = doc.channels as Record<string, Obj>;
    expect(Object.keys(channels)).toEqual(["inventory", "orders", "payments"]);
    expect(Object.keys(channels.orders!.messages as Obj)).toEqual([
      "OrderCreatedV1",
      "OrderShippedV1",
      "OrderShippedV2",
    ]);
    expect(channels.orders!.bindings).toMatchObject({ kafka: { topic: "orders", partitions: 3, replicas: 1 } });
    const message = ((doc.components as Obj).messages as Record<string, Obj>).OrderShippedV2!;
    expect(message).toMatchObject({ name: "order.shipped", "x-evgen-key": "orderId", "x-evgen-version": 2 });
    const headers = (message.headers as Obj).properties as Obj;
    expect(headers).toMatchObject({
      ce_type: { const: "order.shipped" },
      ce_dataversion: { const: "2" },
      ce_source: { const: "/shop" },
      ce_dataschema: { const: "urn:evgen:order.shipped:v2" },
    });
    const operations = doc.operations as Record<string, Obj>;
    expect(operations["send.order.shipped"]!.messages).toEqual([{ $ref: "#/channels/orders/messages/OrderShippedV2" }]);
    expect(operations["receive.payment.orders"]).toMatchObject({
      action: "receive",
      bindings: { kafka: { groupId: { enum: ["shop.payment"] } } },
      "x-evgen-consumer": {
        emits: ["payment.failed", "payment.refunded", "payment.succeeded"],
        retryQueues: ["shop.payment.retry-1", "shop.payment.retry-2"],
      },
    });
    const schema = ((doc.components as Obj).schemas as Record<string, Obj>).OrderCreatedV1!;
    expect(schema.properties).toMatchObject({
      items: { type: "array", items: { $ref: "#/components/schemas/LineItem" }, minItems: 1 },
    });
    expect(schema.required).not.toContain("couponCode");
  });

  it("RabbitMQ: routing-key channels on the exchange, queue channels, a server URL without credentials", () => {
    const doc = toAsyncApi(irOf(asRabbit(fixtureText("all-features.yaml")))) as Obj;
    expect(doc.servers).toEqual({ rabbitmq: { host: "rabbit.internal:5671", protocol: "amqps" } });
    expect(JSON.stringify(doc)).not.toContain("guest");
    const channels = doc.channels as Record<string, Obj>;
    expect(channels["order.created"]!.bindings).toMatchObject({
      amqp: { is: "routingKey", exchange: { name: "shop.bus", type: "topic", durable: true } },
    });
    expect(channels.queue_ship).toMatchObject({
      address: "shop.ship",
      bindings: { amqp: { is: "queue", queue: { name: "shop.ship" } } },
    });
    const message = ((doc.components as Obj).messages as Record<string, Obj>).OrderCreatedV1!;
    expect(Object.keys((message.headers as Obj).properties as Obj)).toContain("cloudEvents_id");
    // What the messages carry: no content_encoding property, so no contentEncoding claimed.
    expect(message.bindings).toEqual({ amqp: { messageType: "order.created", bindingVersion: "0.3.0" } });
  });

  it("maps nullable, unions, consts and named types to JSON Schema", () => {
    const doc = toAsyncApi(irOf(fixtureText("all-features.yaml"))) as Obj;
    const properties = ((doc.components as Obj).schemas as Record<string, Obj>).OrderCreatedV1!.properties as Obj;
    expect(properties.note).toMatchObject({ type: ["string", "null"], maxLength: 200 });
    expect(properties.created).toEqual({ type: "string", format: "date-time" });
    expect(properties.site).toEqual({ type: "string", format: "uri" });
    expect(properties.kind).toEqual({ const: "web" });
    expect(properties.ref).toEqual({ anyOf: [{ type: "string", format: "uuid" }, { type: "integer" }] });
    expect(properties.shipTo).toEqual({ $ref: "#/components/schemas/Address" });
  });

  it("is deterministic", () => {
    const text = exampleText("user-analytics");
    expect(renderAsyncApi(irOf(text))).toBe(renderAsyncApi(irOf(text)));
  });
});
