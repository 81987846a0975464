import { describe, expect, it } from "vitest";
import { compareSpecs, formatChange } from "../../src/compat/compare.js";
import { buildIR } from "../../src/ir/build.js";
import { validateSpec } from "../../src/validate/index.js";

const BASE = `evgen: 1
service: shop
broker: kafka
events:
  order.created:
    key: orderId
    topic: orders
    schema: { orderId: uuid, total: number, note?: string }
  order.shipped:
    versions:
      1: { orderId: uuid }
      2: { orderId: uuid, carrier: string }
`;

function ir(text: string) {
  const result = validateSpec(text, "evgen.yaml");
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join("\n"));
  return buildIR(result.spec);
}

const changes = (after: string) => compareSpecs(ir(BASE), ir(after)).map(formatChange);

describe("compareSpecs", () => {
  it("finds nothing breaking in new events, new versions and new optional fields", () => {
    const after = BASE.replace("note?: string }", "note?: string, coupon?: string }")
      .concat("  order.cancelled:\n    schema: { orderId: uuid }\n")
      .replace(
        "      2: { orderId: uuid, carrier: string }",
        "      2: { orderId: uuid, carrier: string }\n      3: { orderId: uuid }",
      );
    expect(changes(after)).toEqual([]);
  });

  it.each([
    ["a removed event", BASE.replace(/  order\.shipped:[\s\S]*$/, ""), "order.shipped: the event was removed"],
    [
      "a removed version",
      BASE.replace("      1: { orderId: uuid }\n", ""),
      "order.shipped v1: the version was removed",
    ],
    ["a removed field", BASE.replace(", total: number", ""), "order.created v1: total: removed"],
    [
      "an optional field made required",
      BASE.replace("note?: string", "note: string"),
      "order.created v1: note: made required",
    ],
    [
      "a required field made optional",
      BASE.replace("total: number", "total?: number"),
      "order.created v1: total: made optional (consumers of the older spec reject events without it)",
    ],
    [
      "a required field added",
      BASE.replace("note?: string }", "note?: string, user: string }"),
      "order.created v1: user: added as required",
    ],
    [
      "a type change",
      BASE.replace("total: number", "total: integer"),
      "order.created v1: total: type changed from number to integer",
    ],
    [
      "a topic change",
      BASE.replace("topic: orders", "topic: orders-v2"),
      "order.created: its topic changed from 'orders' to 'orders-v2'",
    ],
    [
      "a key change",
      BASE.replace("    key: orderId\n", ""),
      "order.created: its key changed from 'orderId' to none: per-key order breaks",
    ],
  ])("reports %s", (_, after, expected) => {
    expect(changes(after)).toEqual([expected]);
  });
});

describe("compareSpecs on RabbitMQ", () => {
  const RABBIT = `evgen: 1
service: shop
broker: rabbitmq
events:
  order.created:
    key: orderId
    routingKey: orders.created
    schema: { orderId: uuid }
`;
  const rabbit = (after: string) => compareSpecs(ir(RABBIT), ir(after)).map(formatChange);

  it("reports a changed routing key", () => {
    expect(rabbit(RABBIT.replace("routingKey: orders.created", "routingKey: orders.new"))).toEqual([
      "order.created: its routing key changed from 'orders.created' to 'orders.new': queues bound to the old one no longer receive it",
    ]);
  });

  it("finds nothing in a changed key, which orders nothing on RabbitMQ", () => {
    expect(rabbit(RABBIT.replace("    key: orderId\n", ""))).toEqual([]);
  });
});

const TYPED = `evgen: 1
service: shop
broker: kafka
types:
  LineItem: { sku: string, qty: integer, price: number }
  Address: { city: { type: string, maxLength: 100 }, zip?: { type: string, pattern: "^[0-9]+$" } }
  Unused: { a: string }
events:
  order.created:
    key: orderId
    schema:
      orderId: uuid
      items: LineItem[]
      shipTo: Address
      currency: { type: string, enum: [EUR, USD] }
      total: { type: number, minimum: 0 }
      tags?: { type: array, items: string, maxItems: 10 }
`;

describe("compareSpecs through named types and constraints", () => {
  const typed = (after: string) => compareSpecs(ir(TYPED), ir(after)).map(formatChange);

  it("sees a change inside a named type where an event uses it, with its path", () => {
    expect(typed(TYPED.replace("price: number }", "price: string }"))).toEqual([
      "order.created v1: items[].price: type changed from number to string",
    ]);
    expect(typed(TYPED.replace("price: number }", "price: number, color: string }"))).toEqual([
      "order.created v1: items[].color: added as required",
    ]);
    expect(typed(TYPED.replace("city: { type: string, maxLength: 100 }, ", ""))).toEqual([
      "order.created v1: shipTo.city: removed",
    ]);
  });

  it("finds nothing in a renamed type of the same structure, nor in a type no event uses", () => {
    const renamed = TYPED.replace("  LineItem: {", "  Item: {").replace("items: LineItem[]", "items: Item[]");
    expect(typed(renamed)).toEqual([]);
    expect(typed(TYPED.replace("Unused: { a: string }", "Unused: { a: integer, b: string }"))).toEqual([]);
  });

  it("does not count a required field with a default as a breaking addition", () => {
    expect(
      typed(
        TYPED.replace("      orderId: uuid\n", "      orderId: uuid\n      channel: { type: string, default: web }\n"),
      ),
    ).toEqual([]);
    expect(typed(TYPED.replace("sku: string,", "sku: string, unit: { type: string, default: piece },"))).toEqual([]);
    expect(typed(TYPED.replace("tags?: {", "tags: { default: [], "))).toEqual([]);
  });

  it.each([
    [
      "maxLength lowered",
      TYPED.replace("maxLength: 100", "maxLength: 50"),
      "shipTo.city: maxLength tightened from 100 to 50",
    ],
    ["minimum raised", TYPED.replace("minimum: 0", "minimum: 1"), "total: minimum tightened from 0 to 1"],
    [
      "maximum added",
      TYPED.replace("minimum: 0", "minimum: 0, maximum: 1000"),
      "total: maximum 1000 added (tightened)",
    ],
    [
      "pattern changed",
      TYPED.replace('"^[0-9]+$"', '"^[0-9]{5}$"'),
      "shipTo.zip: pattern changed from '^[0-9]+$' to '^[0-9]{5}$'",
    ],
    [
      "pattern added",
      TYPED.replace("sku: string", 'sku: { type: string, pattern: "^[A-Z]" }'),
      "items[].sku: pattern '^[A-Z]' added (tightened)",
    ],
    [
      "enum narrowed",
      TYPED.replace("enum: [EUR, USD]", "enum: [EUR]"),
      "currency: enum narrowed: 'USD' no longer allowed",
    ],
    ["maxItems lowered", TYPED.replace("maxItems: 10", "maxItems: 5"), "tags: maxItems tightened from 10 to 5"],
    ["format added", TYPED.replace("orderId: uuid", "orderId: string"), "orderId: type changed from uuid to string"],
  ])("reports constraints: %s", (_, after, expected) => {
    expect(typed(after)).toEqual([`order.created v1: ${expected}`]);
  });

  it("reports loosened constraints too: consumers of the older spec reject the new values", () => {
    expect(typed(TYPED.replace("enum: [EUR, USD]", "enum: [EUR, USD, GBP]"))).toEqual([
      "order.created v1: currency: enum widened: 'GBP' added (consumers of the older spec reject it)",
    ]);
    expect(typed(TYPED.replace("maxLength: 100", "maxLength: 200"))).toEqual([
      "order.created v1: shipTo.city: maxLength loosened from 100 to 200 (consumers of the older spec reject what it now allows)",
    ]);
  });

  it("gives the path in JSON output", () => {
    const [change] = compareSpecs(ir(TYPED), ir(TYPED.replace("price: number }", "price: string }")));
    expect(change).toEqual({
      event: "order.created",
      version: 1,
      path: "items[].price",
      message: "type changed from number to string",
    });
  });
});
