// The IR holds every derived name once; these are the names users meet on the broker and in code.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildIR } from "../../src/ir/build.js";
import type { IR, IRConsumer } from "../../src/ir/types.js";
import type { Spec } from "../../src/spec/schema/spec.js";
import { validateSpec } from "../../src/validate/index.js";

function specOf(text: string): Spec {
  const result = validateSpec(text, "evgen.yaml");
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join("\n"));
  return result.spec;
}

const allFeatures = readFileSync("test/fixtures/specs/all-features.yaml", "utf8");
const ir = buildIR(specOf(allFeatures));
const consumer = (name: string): IRConsumer => ir.consumers.find((c) => c.name === name)!;
const minimal = (broker: string, consumers = "") =>
  buildIR(
    specOf(
      `evgen: 1\nservice: shop\nbroker: ${broker}\nevents:\n  order.created: { schema: { id: uuid } }\n${consumers}`,
    ),
  );

describe("buildIR", () => {
  it("derives service-level names and keeps broker settings", () => {
    expect(ir).toMatchObject({
      specVersion: 1,
      service: "shop",
      source: "/shop",
      broker: "kafka",
      settings: {
        client: "kafkajs",
        brokers: ["127.0.0.1:9092", "kafka-2:9093"],
        partitions: 6,
        replicationFactor: 2,
      },
      topics: ["audit.logged", "orders"],
      idempotencyStores: ["postgres", "redis"],
    });
  });

  it("keeps only its broker's settings of a spec holding both blocks", () => {
    const blocks = "kafka: { brokers: [k:9092] }\nrabbitmq: { url: amqp://r, exchange: shop.bus, prefetch: 10 }\n";
    const spec = (broker: string) =>
      `evgen: 1\nservice: shop\nbroker: ${broker}\n${blocks}events:\n  order.created: { schema: { id: uuid } }\n`;
    expect(buildIR(specOf(spec("rabbitmq"))).settings).toEqual({
      url: "amqp://r",
      exchange: "shop.bus",
      unrouted: "shop.unrouted",
      queueType: "quorum",
      prefetch: 10,
    });
    expect(buildIR(specOf(spec("kafka"))).settings).toEqual({
      client: "kafkajs",
      brokers: ["k:9092"],
      partitions: 3,
      replicationFactor: 1,
    });
  });

  it("applies the contract's defaults", () => {
    const defaults = minimal("rabbitmq", "consumers:\n  mailer: { on: [order.created] }\n");
    expect(minimal("kafka").settings).toEqual({
      client: "kafkajs",
      brokers: ["127.0.0.1:9092"],
      partitions: 3,
      replicationFactor: 1,
    });
    expect(defaults.settings).toEqual({
      url: "amqp://guest:guest@127.0.0.1:5672",
      exchange: "shop.events",
      unrouted: "shop.unrouted",
      queueType: "quorum",
      prefetch: 50,
    });
    expect(defaults.consumers[0]).toMatchObject({
      emits: [],
      filter: [],
      concurrency: 1,
      timeoutMs: 30_000,
      retry: {
        attempts: 4,
        delayMs: 1000,
        backoff: "exponential",
        maxDelayMs: 300_000,
        mode: "non-blocking",
        delaysMs: [1000, 2000, 4000],
      },
      retryQueues: ["shop.mailer.retry-1s", "shop.mailer.retry-2s", "shop.mailer.retry-4s"],
      deadLetter: true,
      deadLetterQueue: "shop.mailer.dlq",
      idempotency: "memory",
      idempotencyTtlMs: 7 * 24 * 60 * 60 * 1000,
    });
    expect(defaults.idempotencyStores).toEqual(["memory"]);
    expect(defaults.consumers[0]!.replayTopic).toBeUndefined(); // RabbitMQ replays into the queue itself
  });

  it("gives Kafka consumers with a dead letter a replay topic, blocking ones too", () => {
    const kafka = minimal("kafka", "consumers:\n  mailer: { on: [order.created], retry: { mode: blocking } }\n");
    expect(kafka.consumers[0]).toMatchObject({ retryQueues: [], replayTopic: "shop.mailer.replay" });
    expect(consumer("ship").replayTopic).toBeUndefined(); // deadLetter: false
    expect(consumer("ship")).not.toHaveProperty("deadLetterQueue"); // no dead-letter topic or queue either
  });

  it("accepts over HTTP the events no consumer emits, unless the spec's http says otherwise", () => {
    const http = buildIR(
      specOf(`evgen: 1
service: shop
broker: kafka
events:
  order.created: { schema: { id: uuid } }
  order.confirmed: { schema: { id: uuid } }
  order.cancelled: { schema: { id: uuid }, http: false }
  invoice.sent: { schema: { id: uuid }, http: true }
consumers:
  mailer: { on: [order.created], emits: [order.confirmed, invoice.sent] }
  biller: { on: [order.created], emits: [invoice.sent] }
`),
    );
    expect(http.events.map((e) => [e.type, e.http, e.emittedBy])).toEqual([
      ["invoice.sent", true, ["biller", "mailer"]],
      ["order.cancelled", false, []],
      ["order.confirmed", false, ["mailer"]],
      ["order.created", true, []],
    ]);
  });

  it("derives event names and sorts versions", () => {
    const shipped = ir.events.find((e) => e.type === "order.shipped")!;
    expect(shipped).toMatchObject({
      typeName: "OrderShipped",
      ident: "orderShipped",
      key: "orderId",
      topic: "orders",
      latest: 2,
    });
    expect(shipped.versions.map((v) => [v.version, v.typeName, v.schemaName])).toEqual([
      [1, "OrderShippedV1", "orderShippedV1Schema"],
      [2, "OrderShippedV2", "orderShippedV2Schema"],
    ]);
    const audit = ir.events.find((e) => e.type === "audit.logged")!;
    expect(audit).toMatchObject({ typeName: "AuditLogged", topic: "audit.logged", latest: 1 });
    expect(audit.key).toBeUndefined();
  });

  it("derives consumer names, groups, queues and file paths", () => {
    expect(consumer("ship")).toMatchObject({
      ident: "ship",
      typeName: "Ship",
      group: "shop.ship",
      on: ["order.created", "order.shipped"],
      emits: ["audit.logged"],
      topics: ["orders"],
      concurrency: 5,
      timeoutMs: 60_000,
      deadLetter: false,
      files: {
        generated: "src/generated/consumers/ship.ts",
        handler: "src/handlers/ship.ts",
        test: "test/ship.test.ts",
      },
    });
    // A reserved word cannot name an import binding.
    expect(consumer("new")).toMatchObject({ ident: "newConsumer", typeName: "New", group: "shop.new" });
  });

  it("computes retry delays: exponential capped by maxDelay, fixed, blocking", () => {
    expect(consumer("ship").retry.delaysMs).toEqual([100, 200, 400, 800, 1000]);
    expect(consumer("ship").retryQueues).toEqual([1, 2, 3, 4, 5].map((k) => `shop.ship.retry-${k}`));
    // Kafka blocking mode retries in place: delays but no retry topics.
    expect(consumer("audit").retry).toMatchObject({ mode: "blocking", backoff: "fixed", delaysMs: [2000, 2000] });
    expect(consumer("audit").retryQueues).toEqual([]);
    expect(consumer("new").retry.delaysMs).toEqual([]);
    expect(consumer("new").retryQueues).toEqual([]);
  });

  it("keeps retry queues on RabbitMQ, where retries never block, named by their delay", () => {
    const rabbit = minimal("rabbitmq", "consumers:\n  mailer: { on: [order.created], retry: { attempts: 2 } }\n");
    expect(rabbit.consumers[0]!.retryQueues).toEqual(["shop.mailer.retry-1s"]);
    // New delays get new queues, so a restart with them never meets a queue declared with another TTL.
    const changed = minimal(
      "rabbitmq",
      "consumers:\n  mailer: { on: [order.created], retry: { attempts: 5, delay: 1500ms, maxDelay: 1m } }\n",
    );
    expect(changed.consumers[0]!.retryQueues).toEqual([
      "shop.mailer.retry-1500ms",
      "shop.mailer.retry-3s",
      "shop.mailer.retry-6s",
      "shop.mailer.retry-12s",
    ]);
    const fixed = minimal(
      "rabbitmq",
      "consumers:\n  mailer: { on: [order.created], retry: { delay: 2h, backoff: fixed } }\n",
    );
    expect(fixed.consumers[0]!.retryQueues).toEqual([
      "shop.mailer.retry-2h",
      "shop.mailer.retry-2h",
      "shop.mailer.retry-2h",
    ]);
  });

  it("reads idempotency as a store name or as { store, ttl }", () => {
    const stores = minimal(
      "kafka",
      "consumers:\n  a: { on: [order.created], idempotency: redis }\n  b: { on: [order.created], idempotency: { store: postgres, ttl: 36h } }\n  c: { on: [order.created], idempotency: { ttl: 1d } }\n",
    );
    expect(stores.consumers.map((c) => [c.name, c.idempotency, c.idempotencyTtlMs])).toEqual([
      ["a", "redis", 7 * 86_400_000],
      ["b", "postgres", 36 * 3_600_000],
      ["c", "memory", 86_400_000],
    ]);
    expect(stores.idempotencyStores).toEqual(["memory", "postgres", "redis"]);
  });

  it("normalizes filters: sorted paths, lists, conditions, envelope values as text and bounds as written", () => {
    expect(consumer("ship").filter).toEqual([
      { path: "dataversion", values: ["2"] },
      { path: "type", values: ["order.shipped", "order.created"] },
    ]);
    expect(consumer("new").filter).toEqual([
      { path: "data.at", gte: "2024-01-01T00:00:00Z" },
      { path: "data.count", values: [1, 2] },
      { path: "data.day", lt: "2030-01-01" },
      { path: "data.note", exists: true, not: ["spam", "ham"] },
      { path: "data.order.total.amount", gt: 0, lte: 1000 },
      { path: "data.order.total.currency", values: ["EUR"] },
      { path: "data.shipTo", exists: true },
      { path: "data.tags", contains: "vip" },
      { path: "time", gte: "2020-01-01T00:00:00+02:00" },
    ]);
  });

  it("turns a circuit breaker's rate into a share and its durations into milliseconds", () => {
    expect(consumer("ship").circuitBreaker).toEqual({
      failureRate: 0.25,
      minimumCalls: 10,
      windowMs: 60_000,
      openForMs: 20_000,
    });
    expect(consumer("new").circuitBreaker).toBeUndefined();
  });

  it("sorts events and consumers by name, named types by dependency then name", () => {
    expect(ir.events.map((e) => e.type)).toEqual(["audit.logged", "order.created", "order.shipped"]);
    expect(ir.consumers.map((c) => c.name)).toEqual(["audit", "new", "ship"]);
    // Order uses LineItem and Money, LineItem uses Money; Address stands alone.
    expect(ir.types.map((t) => [t.name, t.schemaName])).toEqual([
      ["Address", "addressSchema"],
      ["Money", "moneySchema"],
      ["LineItem", "lineItemSchema"],
      ["Order", "orderSchema"],
    ]);
  });

  it("turns every kind of field type into its IR type", () => {
    const fields = ir.events.find((e) => e.type === "order.created")!.versions[0]!.fields;
    const type = (name: string) => fields.find((f) => f.name === name)!.type;
    expect(fields.map((f) => f.name).slice(0, 4)).toEqual(["orderId", "order", "email", "site"]); // as written
    expect(type("orderId")).toEqual({ nullable: false, kind: "string", format: "uuid" });
    expect(type("order")).toEqual({
      nullable: false,
      kind: "ref",
      name: "Order",
      typeName: "Order",
      schemaName: "orderSchema",
    });
    expect(type("at")).toEqual({ nullable: false, kind: "string", format: "datetime" });
    expect(type("created")).toEqual({ nullable: false, kind: "string", format: "datetime" });
    expect(fields.find((f) => f.name === "note")).toEqual({
      name: "note",
      optional: true,
      type: {
        nullable: true,
        kind: "string",
        minLength: 1,
        maxLength: 200,
        pattern: "^[^<>]*$",
        description: "No */ tags",
        doc: "No *\\/ tags",
      },
    });
    expect(type("count")).toEqual({
      nullable: false,
      kind: "number",
      integer: true,
      minimum: 0,
      maximum: 10,
      default: 1,
    });
    expect(type("tags")).toEqual({
      nullable: false,
      kind: "array",
      items: { nullable: false, kind: "string" },
      minItems: 0,
      maxItems: 5,
    });
    expect(type("meta")).toEqual({
      nullable: false,
      kind: "object",
      fields: [
        { name: "source", optional: false, type: { nullable: false, kind: "string" } },
        { name: "score", optional: true, type: { nullable: false, kind: "number", integer: false } },
      ],
    });
    expect(type("kind")).toEqual({ nullable: false, kind: "const", value: "web" });
    expect(type("ref")).toMatchObject({
      kind: "union",
      options: [
        { kind: "string", format: "uuid" },
        { kind: "number", integer: true },
      ],
    });
    expect(type("alt")).toMatchObject({
      kind: "union",
      options: [{ kind: "string" }, { kind: "null", nullable: false }],
    });
    expect(type("extra")).toEqual({ nullable: false, kind: "object", fields: [] });
    const money = ir.types.find((t) => t.name === "Money")!.fields;
    expect(money[1]).toEqual({
      name: "currency",
      optional: false,
      type: { nullable: false, kind: "enum", values: ["EUR", "USD"], default: "EUR" },
    });
  });

  it("escapes descriptions so they cannot end a doc comment", () => {
    expect(ir).toMatchObject({
      description: "Shop */ with a comment terminator",
      doc: "Shop *\\/ with a comment terminator",
    });
    expect(ir.events.find((e) => e.type === "order.created")).toMatchObject({
      doc: "Placed. Ends a comment: *\\/ here",
    });
    expect(consumer("audit")).toMatchObject({ description: "Records */ everything", doc: "Records *\\/ everything" });
    const docs = JSON.stringify(ir).match(/"doc":"[^"]*"/g) ?? [];
    expect(docs.length).toBeGreaterThanOrEqual(4);
    for (const doc of docs) expect(doc).not.toContain("*/");
  });

  it("is pure: the same spec gives the same IR and the spec is left untouched", () => {
    const spec = specOf(allFeatures);
    const before = structuredClone(spec);
    const first: IR = buildIR(spec);
    expect(buildIR(spec)).toEqual(first);
    expect(spec).toEqual(before);
    expect(JSON.stringify(buildIR(specOf(allFeatures)))).toBe(JSON.stringify(first));
  });
});
