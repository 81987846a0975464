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
    const after = BASE.replace("note?: string }", "note?: string, coupon?: string }").concat(
      "  order.cancelled:\n    schema: { orderId: uuid }\n",
    ).replace("      2: { orderId: uuid, carrier: string }", "      2: { orderId: uuid, carrier: string }\n      3: { orderId: uuid }");
    expect(changes(after)).toEqual([]);
  });

  it.each([
    ["a removed event", BASE.replace(/  order\.shipped:[\s\S]*$/, ""), "order.shipped: the event was removed"],
    ["a removed version", BASE.replace("      1: { orderId: uuid }\n", ""), "order.shipped v1: the version was removed"],
    ["a removed field", BASE.replace(", total: number", ""), "order.created v1: field 'total' was removed"],
    ["an optional field made required", BASE.replace("note?: string", "note: string"), "order.created v1: field 'note' was made required"],
    ["a required field added", BASE.replace("note?: string }", "note?: string, user: string }"), "order.created v1: required field 'user' was added"],
    ["a type change", BASE.replace("total: number", "total: integer"), "order.created v1: field 'total' changed type from number to integer"],
    ["a topic change", BASE.replace("topic: orders", "topic: orders-v2"), "order.created: its topic changed from 'orders' to 'orders-v2'"],
    ["a key change", BASE.replace("    key: orderId\n", ""), "order.created: its key changed from 'orderId' to none: per-key order breaks"],
  ])("reports %s", (_, after, expected) => {
    expect(changes(after)).toEqual([expected]);
  });
});
