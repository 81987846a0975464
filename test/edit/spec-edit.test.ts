import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addConsumer, addEvent, EditError, parseFieldArg } from "../../src/edit/spec-edit.js";
import { validateSpec } from "../../src/validate/index.js";

const orders = readFileSync(new URL("../../examples/orders/evgen.yaml", import.meta.url), "utf8");

/** Every line of `before` is still there, in order: nothing of the user's was rewritten. */
function keepsEveryLine(before: string, after: string): boolean {
  const lines = after.split("\n");
  let at = 0;
  for (const line of before.split("\n")) {
    at = lines.indexOf(line, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

function valid(text: string) {
  const result = validateSpec(text, "evgen.yaml");
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join("\n"));
  return result.spec;
}

describe("add-event", () => {
  it("appends a new event after the last one, keeping comments and layout", () => {
    const out = addEvent(orders, {
      type: "order.cancelled",
      fields: [parseFieldArg("orderId:uuid"), parseFieldArg("reason?:string")],
      key: "orderId",
      description: "The customer cancelled: #1",
    });
    expect(keepsEveryLine(orders, out)).toBe(true);
    expect(out).toContain('  order.cancelled:\n    description: "The customer cancelled: #1"\n    key: orderId\n');
    const spec = valid(out);
    expect(Object.keys(spec.events)).toContain("order.cancelled");
  });

  it("keeps a description of several lines as it was given, on one YAML line", () => {
    const description = "First line: the order.\n  - second line, indented\n# not a comment\n\nlast";
    const out = addEvent(orders, { type: "order.cancelled", fields: [parseFieldArg("orderId:uuid")], description });
    expect(keepsEveryLine(orders, out)).toBe(true);
    expect(valid(out).events["order.cancelled"]!.description).toBe(description);
    const consumer = addConsumer(orders, { name: "audit", on: ["order.created"], description: "a\nb" });
    expect(valid(consumer).consumers.audit!.description).toBe("a\nb");
  });

  it("refuses a description with control characters", () => {
    expect(() =>
      addEvent(orders, { type: "order.cancelled", fields: [parseFieldArg("orderId:uuid")], description: "\u001b[2J" }),
    ).toThrow(/control characters are not allowed/);
  });

  it("turns a schema into versions 1 and 2 with --new-version", () => {
    const out = addEvent(orders, {
      type: "payment.failed",
      fields: [parseFieldArg("orderId:uuid"), parseFieldArg("code:integer")],
      newVersion: true,
    });
    expect(out).toContain(
      "  payment.failed:\n    key: orderId\n    topic: payments\n    versions:\n      1:\n        orderId: uuid\n        reason: string\n      2:\n        orderId: uuid\n        code: integer\n",
    );
    valid(out);
  });

  it("appends the next version to an existing versions map, copying the latest without --field", () => {
    const out = addEvent(orders, { type: "order.shipped", fields: [], newVersion: true });
    expect(keepsEveryLine(orders, out)).toBe(true);
    expect(out).toContain("      3:\n        orderId: uuid\n        carrier: string\n        trackingUrl?: url\n");
    valid(out);
  });

  it("creates the events section of a spec that has none", () => {
    const out = addEvent("evgen: 1\nservice: s\nbroker: kafka\n", { type: "a.b", fields: [parseFieldArg("x:string")] });
    expect(out).toBe("evgen: 1\nservice: s\nbroker: kafka\n\nevents:\n  a.b:\n    schema:\n      x: string\n");
    valid(out);
  });

  it.each([
    [{ type: "order.created", fields: [parseFieldArg("a:string")] }, /exists already; add --new-version/],
    [{ type: "Order", fields: [parseFieldArg("a:string")] }, /not an event type/],
    [{ type: "order.nope", fields: [], newVersion: true }, /no event "order.nope"/],
    [{ type: "order.cancelled", fields: [] }, /at least one --field/],
  ])("refuses %o", (opts, message) => {
    expect(() => addEvent(orders, opts)).toThrow(message);
  });

  it("rejects field arguments that could not be a field", () => {
    expect(() => parseFieldArg("a b:string")).toThrow(EditError);
    expect(() => parseFieldArg("a:string; process.exit()")).toThrow(/not a field type/);
    expect(parseFieldArg("note?")).toEqual({ key: "note?", type: "string" });
  });
});

describe("add-consumer", () => {
  it("appends a consumer, keeping everything else", () => {
    const out = addConsumer(orders, {
      name: "audit-log",
      on: ["order.created", "order.shipped"],
      emits: ["payment.refunded"],
    });
    expect(keepsEveryLine(orders, out)).toBe(true);
    expect(
      out.endsWith("\n\n  audit-log:\n    on: [order.created, order.shipped]\n    emits: [payment.refunded]\n"),
    ).toBe(true);
    valid(out);
  });

  it("refuses a duplicate or badly named consumer", () => {
    expect(() => addConsumer(orders, { name: "payment", on: ["order.created"] })).toThrow(/exists already/);
    expect(() => addConsumer(orders, { name: "Audit", on: ["order.created"] })).toThrow(/not a consumer name/);
    expect(() => addConsumer(orders, { name: "audit", on: ["x; rm"] })).toThrow(/not an event type/);
  });
});
