import { describe, expect, it } from "vitest";
import { renderCatalog } from "../../src/docs/catalog.js";
import { mdCode, mdText, mermaidLabel } from "../../src/docs/text.js";
import { EXAMPLES, exampleText, fixtureText, irOf } from "../asyncapi/support.js";

const TRICKY = `evgen: 1
service: shop
description: "Pipes | and <b>tags</b> and [links](x) and \`code\`"
broker: kafka
events:
  order.created:
    description: "A | B"
    schema:
      note: { type: string, pattern: "^a|b$", description: "x | y" }
      kind: { type: string, enum: ["a|b", "c\\"d]"] }
  order.shipped:
    versions:
      1: { orderId: uuid, carrier: string }
      2: { orderId: integer }
consumers:
  mailer:
    on: [order.created]
    emits: [order.shipped]
    filter: { data.kind: "a|b" }
`;

/** Table rows must have exactly 4 cells: unescaped pipes would split more. */
function cellCounts(page: string): number[] {
  return page
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.replace(/\\\|/g, "").split("|").length - 2);
}

describe("evgen docs catalog", () => {
  it.each(EXAMPLES)("%s: lists every event, version and consumer with a Mermaid flowchart", (name) => {
    const ir = irOf(exampleText(name));
    const page = renderCatalog(ir);
    expect(page).toContain("```mermaid\nflowchart LR");
    for (const event of ir.events) {
      expect(page).toContain(`### \`${event.type}\``);
      for (const version of event.versions) expect(page).toContain(`#### Version ${version.version}`);
    }
    for (const consumer of ir.consumers) {
      expect(page).toContain(`### \`${consumer.name}\``);
      expect(page).toContain(consumer.group);
    }
    expect(new Set(cellCounts(page))).toEqual(new Set([4]));
    expect(renderCatalog(irOf(exampleText(name)))).toBe(page);
  });

  it("shows topics, keys, retry in words, dead letters and derived names (Kafka)", () => {
    const page = renderCatalog(irOf(exampleText("orders")));
    expect(page).toContain("- Topic: `orders`");
    expect(page).toContain("- Key: `orderId`");
    expect(page).toContain(
      "Up to 3 attempts (the first delivery and 2 retries) with exponential backoff from 1s, at most 1m: waits 1s, 2s.",
    );
    expect(page).toContain("`shop.payment.retry-1`");
    expect(page).toContain("- Dead-letter topic: `shop.payment.dlq`");
    expect(page).toContain("- Consumer group: `shop.payment` on `inventory`, `orders`");
    expect(page).toMatch(/e\d --> c\d/);
    expect(page).toMatch(/c\d -\. emits \.-> e\d/);
  });

  it("says which events POST /events accepts, and why not the others", () => {
    const page = renderCatalog(irOf(exampleText("notifications")));
    expect(page).toContain("- Publish over HTTP: `POST /events/notification.requested`");
    expect(page).toContain(
      "- Publish over HTTP: no: emitted by `send-email`, `send-push`, `send-sms` (`http: true` in the spec accepts it)",
    );
  });

  it("shows filters and consumers without a dead letter in words", () => {
    const page = renderCatalog(irOf(fixtureText("all-features.yaml")));
    expect(page).toContain("`data.count` is one of `1`, `2`");
    expect(page).toContain('`data.tags` contains `"vip"`');
    expect(page).toContain("none: after the last attempt the event is dropped with an error log");
  });

  it("shows routing keys and queues on RabbitMQ", () => {
    const page = renderCatalog(irOf(exampleText("notifications")));
    expect(page).toContain("- Routing key: `notification.sent` on exchange `notifications.events`");
    expect(page).toContain("- Queue: `notifications.send-email` (quorum)");
    expect(page).not.toContain("- Topic:");
  });

  it("shows an event's own routing key on RabbitMQ, and the queue bound with it", () => {
    const spec = `evgen: 1
service: shop
broker: rabbitmq
events:
  order.created: { routingKey: orders.eu.created, schema: { id: uuid } }
consumers:
  mailer: { on: [order.created] }
`;
    const page = renderCatalog(irOf(spec));
    expect(page).toContain("- Routing key: `orders.eu.created` on exchange `shop.events`");
    expect(page).toContain("bound to `shop.events` with `orders.eu.created`");
  });

  it("warns about breaking changes between versions", () => {
    const page = renderCatalog(irOf(TRICKY));
    expect(page).toContain("> **Warning:** breaking change from version 1: field 'carrier' was removed");
    expect(page).toContain("field 'orderId' changed type from uuid to integer");
  });

  it("escapes spec text for Markdown tables and Mermaid labels", () => {
    const page = renderCatalog(irOf(TRICKY));
    expect(new Set(cellCounts(page))).toEqual(new Set([4]));
    expect(page).toContain("Pipes \\| and &lt;b&gt;tags&lt;/b&gt; and \\[links\\](x) and \\`code\\`");
    expect(page).not.toContain("<b>");
    expect(mermaidLabel('a"b[c]{d}<e>#f;`g`')).not.toMatch(/["[\]{}<>`]/);
    expect(mermaidLabel("order.created")).toBe("order.created");
    expect(mdCode("a`b|c")).toBe("``a`b\\|c``");
    expect(mdText("1. not a list")).toBe("1\\. not a list");
    expect(mdText("# not a heading")).toBe("\\# not a heading");
    const mermaid = page.slice(page.indexOf("```mermaid"), page.indexOf("```\n", page.indexOf("```mermaid") + 3));
    for (const line of mermaid.split("\n").slice(2).filter(Boolean))
      expect(line).toMatch(/^ {2}(\w+(\(\[|\{\{|\[)"[^"]*"(\]\)|\}\}|\])|\w+ (-->|-\. emits \.->) \w+)$/);
  });

  it("renders every field kind of all-features.yaml, nested fields as rows", () => {
    const page = renderCatalog(irOf(fixtureText("all-features.yaml")));
    expect(page).toContain("| `meta.source` | `string` | yes |");
    expect(page).toContain("| `meta.score` | `number` | no |");
    expect(page).toContain(
      "| `note` | `string`, min length 1, max length 200, matching `^[^<>]*$` or `null` | no | No \\*/ tags |",
    );
    expect(page).toContain("[`Order`](#type-order)");
    expect(page).toContain('<a id="type-order"></a>');
    const filterLine = page.split("\n").find((line) => line.includes("counted as skipped") && line.includes("data.at"));
    expect(filterLine).toContain(
      '`data.note` is present and is not one of `"spam"`, `"ham"` and `data.order.total.amount` > `0` and ≤ `1000`',
    );
    expect(page).toContain(
      "- Circuit breaker: opens when 25% of at least 10 handler calls within 1m fail; no event is taken for 20s, then one probe decides",
    );
    // No generation date: the only dates are the filter's bounds.
    expect(page.replace(filterLine ?? "", "")).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});
