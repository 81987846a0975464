// How problems reach the user: all at once, in file order, formatted as file:line:col.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatIssues } from "../../src/cli/issues.js";
import { validateSpec } from "../../src/validate/index.js";
import { brief, issuesOf, yaml } from "./helpers.js";

describe("reporting", () => {
  it("reports every problem of a spec in one run, sorted by position", () => {
    const text = readFileSync("test/fixtures/specs/five-problems.yaml", "utf8");
    const result = validateSpec(text, "five-problems.yaml");
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : brief(result.issues)).toEqual([
      "3:9 must be one of: kafka, rabbitmq (got 'kafak')",
      "9:13 unknown type 'strng'",
      "11:5 unknown key 'topc'",
      "15:10 unknown event 'order.create'",
      "16:14 '5 minutes' is not a duration: write <n>ms, <n>s, <n>m, <n>h or <n>d",
    ]);
  });

  it("formats issues as file:line:col  key.path: message with an indented hint", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      events:
        order.created: { schema: { id: uuid, total: nubmer } }
    `;
    const result = validateSpec(text, "specs/evgen.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatIssues(result.issues, { color: false })).toBe(
      "specs/evgen.yaml:5:47  events.order.created.schema.total: unknown type 'nubmer'\n    hint: did you mean 'number'?",
    );
    const colored = formatIssues(result.issues, { color: true });
    expect(colored).toContain("\x1b[31mspecs/evgen.yaml:5:47\x1b[39m  events.order.created.schema.total: unknown type");
  });

  it("names the key path of every problem, so that a CI log reads on its own", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      events:
        order.created: { schema: { id: uuid } }
      consumers:
        mailer:
          on: [order.created]
          retry: { attempts: 0 }
        audit: { emits: [order.created] }
    `;
    expect(formatIssues(issuesOf(text), { color: false }).split("\n")).toEqual([
      "evgen.yaml:9:24  consumers.mailer.retry.attempts: must be at least 1",
      "evgen.yaml:10:3  consumers.audit: 'on' is required",
    ]);
    const fixture = validateSpec(readFileSync("test/fixtures/specs/five-problems.yaml", "utf8"), "evgen.yaml");
    expect(fixture.ok ? [] : fixture.issues.map((issue) => issue.path)).toEqual([
      "broker",
      "events.order.created.schema.note",
      "events.order.shipped.topc",
      "consumers.mailer.on.0",
      "consumers.mailer.timeout",
    ]);
  });

  it("marks warnings and keeps the spec valid", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      types:
        Unused: { a: string }
      events:
        order.created: { schema: { id: uuid } }
    `;
    const result = validateSpec(text, "evgen.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(formatIssues(result.warnings, { color: false })).toBe(
      "evgen.yaml:5:3  warning: types.Unused: type 'Unused' is not used by any event",
    );
  });

  it("reports a YAML syntax error alone, with its position", () => {
    const issues = issuesOf("evgen: 1\nservice: [shop\nbroker: kafka\n");
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: "error", line: 3, col: 1, file: "evgen.yaml" });
    expect(issues[0]!.message).toMatch(/^YAML syntax error: /);
  });

  it("reports every duplicate key", () => {
    const text = "evgen: 1\nservice: a\nservice: b\nbroker: kafka\nbroker: kafka\n";
    expect(brief(issuesOf(text))).toEqual([
      "3:1 duplicate key 'service': a key may appear only once in a mapping",
      "5:1 duplicate key 'broker': a key may appear only once in a mapping",
    ]);
  });

  it("treats keys that load as the same name as duplicates", () => {
    const text =
      'evgen: 1\nservice: shop\nbroker: kafka\nevents:\n  a.b:\n    versions:\n      1: { id: uuid }\n      "1": { id: string }\n';
    expect(brief(issuesOf(text))).toEqual(["8:7 duplicate key '1': a key may appear only once in a mapping"]);
  });

  it("explains an empty file", () => {
    expect(issuesOf("# nothing yet\n")).toEqual([
      {
        severity: "error",
        file: "evgen.yaml",
        line: 1,
        col: 1,
        path: "",
        message: "the spec is empty",
        hint: "start with: evgen: 1, service, broker and events",
      },
    ]);
  });

  it("gives each issue the spec path it is about", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      events:
        order.created: { schema: { id: uuid } }
      consumers:
        mailer: { on: [order.created], retry: { delay: soon } }
    `;
    expect(issuesOf(text).map((i) => i.path)).toEqual(["consumers.mailer.retry.delay"]);
  });
});

describe("warnings", () => {
  const warningsOf = (text: string) => {
    const result = validateSpec(text, "evgen.yaml");
    expect(result.ok).toBe(true);
    return result.ok ? brief(result.warnings) : [];
  };

  it("flags breaking changes between consecutive versions", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      events:
        order.shipped:
          versions:
            1: { orderId: uuid, carrier: string, note?: string, weight: number }
            2: { orderId: uuid, note: string, weight: integer }
            3: { orderId: uuid, note: string, weight: integer, trackingUrl?: url }
    `;
    expect(warningsOf(text)).toEqual([
      "8:7 version 2 of 'order.shipped' breaks version 1: field 'carrier' was removed",
      "8:27 version 2 of 'order.shipped' breaks version 1: field 'note' was made required",
      "8:41 version 2 of 'order.shipped' breaks version 1: field 'weight' changed type from number to integer",
    ]);
  });

  it("flags retry timing that cannot be what was meant, and self-feeding consumers", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      events:
        order.created: { schema: { id: uuid } }
      consumers:
        mailer:
          on: [order.created]
          emits: [order.created]
          retry: { delay: 10s, maxDelay: 1s }
    `;
    expect(warningsOf(text)).toEqual([
      "9:12 consumer 'mailer' handles and emits 'order.created': make sure it cannot loop",
      "10:36 retry.maxDelay is shorter than retry.delay, so every retry waits maxDelay",
    ]);
  });

  it("flags a RabbitMQ password that would end up in generated files", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: rabbitmq
      rabbitmq: { url: "amqp://app:s3cret@mq:5672" }
      events:
        order.created: { schema: { id: uuid } }
    `;
    expect(warningsOf(text)).toEqual(["4:18 the url holds a password, which would be written into generated files"]);
  });

  it("flags Kafka topics that differ only in '.' and '_'", () => {
    const text = yaml`
      evgen: 1
      service: shop
      broker: kafka
      events:
        order.created: { topic: shop_orders, schema: { id: uuid } }
        order.shipped: { topic: shop.orders, schema: { id: uuid } }
    `;
    expect(warningsOf(text)).toEqual([
      "6:27 topics 'shop_orders' and 'shop.orders' differ only in '.' and '_', which Kafka's metrics confuse",
    ]);
  });

  it("flags very large specs", () => {
    const events = Array.from({ length: 501 }, (_, i) => `  e.n${i}: { schema: { id: uuid } }`).join("\n");
    const text = `evgen: 1\nservice: big\nbroker: kafka\nevents:\n${events}\n`;
    expect(warningsOf(text)).toEqual(["4:1 501 events in one service (more than 500)"]);
  });
});
