import { describe, expect, it } from "vitest";
import { renderAsyncApi } from "../../src/asyncapi/export.js";
import { AsyncApiImportError, importAsyncApi, MODELINE } from "../../src/asyncapi/import/index.js";
import { typeSignature } from "../../src/ir/compat.js";
import type { BrokerSettings, IR } from "../../src/ir/types.js";
import { asRabbit, EXAMPLES, exampleText, fixtureText, irOf } from "./support.js";

/** The IR's settings of the broker it must be on. */
function settingsOf<N extends IR["broker"]>(ir: IR, broker: N): BrokerSettings[N] {
  expect(ir.broker).toBe(broker);
  return ir.settings as BrokerSettings[N];
}

/** What must survive a round trip: events, versions, fields (name, optional, type) and consumers' on/emits. */
function essentials(ir: IR) {
  return {
    broker: ir.broker,
    events: ir.events.map((e) => ({
      type: e.type,
      key: e.key,
      topic: e.topic,
      routingKey: e.routingKey,
      versions: e.versions.map((v) => ({
        version: v.version,
        fields: v.fields.map((f) => `${f.name}${f.optional ? "?" : ""}: ${typeSignature(f.type)}`),
      })),
    })),
    types: ir.types.map((t) => t.name).sort(),
    rabbitmq:
      ir.broker === "rabbitmq" ? [settingsOf(ir, "rabbitmq").queueType, settingsOf(ir, "rabbitmq").prefetch] : [],
    consumers: ir.consumers.map((c) => ({
      name: c.name,
      group: c.group,
      on: c.on,
      emits: c.emits,
      retry: c.retry,
      filter: c.filter,
      idempotency: [c.idempotency, c.idempotencyTtlMs],
      window: c.window,
    })),
  };
}

const specs: Array<[string, string]> = [
  ...EXAMPLES.map((name) => [name, exampleText(name)] as [string, string]),
  ["all-features (kafka)", fixtureText("all-features.yaml")],
  ["all-features (rabbitmq)", asRabbit(fixtureText("all-features.yaml"))],
  [
    "wire names (rabbitmq)",
    `evgen: 1
service: marketplace-backend
broker: rabbitmq
rabbitmq: { exchange: marketplace, queueType: classic, prefetch: 10, servers: { production: "amqps://rabbit.prod/shop" } }
events:
  marketplace-backend.order-created: { routingKey: order.created, schema: { id: string } }
consumers:
  billing: { on: [marketplace-backend.order-created], queue: billing-orders }
`,
  ],
  [
    "wire names (kafka)",
    `evgen: 1
service: marketplace-backend
broker: kafka
events:
  marketplace-backend.order-created: { topic: orders, schema: { id: string } }
consumers:
  billing: { on: [marketplace-backend.order-created], groupId: billing }
`,
  ],
];

describe("import asyncapi", () => {
  it.each(specs)("%s: export then import keeps events, versions, fields and consumers", (_, text) => {
    const before = irOf(text);
    for (const format of ["yaml", "json"] as const) {
      const result = importAsyncApi(renderAsyncApi(before, format), { sourceName: "asyncapi.yaml" });
      expect(result.issues).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.warnings).toEqual([]);
      expect(result.text.startsWith(`${MODELINE}\n`)).toBe(true);
      expect(essentials(irOf(result.text))).toEqual(essentials(before));
      // Export, import, export: the same bytes.
      expect(renderAsyncApi(irOf(result.text), format)).toBe(renderAsyncApi(before, format));
    }
  });

  it("maps a foreign document and warns, with paths, about what it cannot map", () => {
    const document = {
      asyncapi: "3.0.0",
      info: { title: "User Service", version: "2.1.0", license: { name: "MIT" } },
      servers: { prod: { host: "kafka.example.com:9092", protocol: "kafka", security: [] } },
      channels: {
        userSignedUp: {
          address: "users",
          messages: { UserSignedUp: { $ref: "#/components/messages/UserSignedUp" } },
        },
      },
      operations: {
        onUserSignedUp: {
          action: "receive",
          channel: { $ref: "#/channels/userSignedUp" },
          messages: [{ $ref: "#/channels/userSignedUp/messages/UserSignedUp" }],
        },
      },
      components: {
        messages: {
          UserSignedUp: {
            name: "UserSignedUp",
            correlationId: { location: "$message.header#/id" },
            payload: {
              type: "object",
              required: ["id", "address"],
              additionalProperties: false,
              properties: {
                id: { type: "string", format: "uuid" },
                "display-name": { type: "string" },
                age: { type: "integer", minimum: 0, exclusiveMaximum: 200 },
                address: { $ref: "#/components/schemas/Address" },
                tags: { type: "array", items: { type: "string" }, uniqueItems: true },
                status: { type: "string", enum: ["active", "banned"] },
                nickname: { type: ["string", "null"] },
              },
            },
          },
        },
        schemas: {
          Address: {
            type: "object",
            properties: { city: { type: "string" }, zip: { type: "string", format: "postal" } },
          },
          Unused: { type: "string" },
        },
        securitySchemes: { basic: { type: "userPassword" } },
      },
    };
    const result = importAsyncApi(JSON.stringify(document));
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    const ir = irOf(result.text);
    expect(ir.service).toBe("user-service");
    expect(settingsOf(ir, "kafka").brokers).toEqual(["kafka.example.com:9092"]);
    expect(ir.events.map((e) => [e.type, e.topic])).toEqual([["user-service.user-signed-up", "users"]]);
    expect(ir.types.map((t) => t.name)).toEqual(["Address"]);
    expect(ir.consumers.map((c) => [c.name, c.on])).toEqual([["on-user-signed-up", ["user-service.user-signed-up"]]]);
    const fields = ir.events[0]!.versions[0]!.fields.map(
      (f) => `${f.name}${f.optional ? "?" : ""}: ${typeSignature(f.type)}`,
    );
    expect(fields).toEqual([
      "id: uuid",
      "age?: integer",
      "address: Address",
      "tags?: string[]",
      'status?: "active" | "banned"',
      "nickname?: string | null",
    ]);
    const warned = result.warnings.map((w) => w.path);
    for (const path of [
      "#/info/license",
      "#/servers/prod/security",
      "#/components/messages/UserSignedUp/correlationId",
      "#/components/messages/UserSignedUp/payload/additionalProperties",
      "#/components/messages/UserSignedUp/payload/properties/display-name",
      "#/components/messages/UserSignedUp/payload/properties/age/exclusiveMaximum",
      "#/components/messages/UserSignedUp/payload/properties/tags/uniqueItems",
      "#/components/schemas/Address/properties/zip/format",
      "#/components/schemas/Unused",
      "#/components/securitySchemes",
    ]) {
      expect(warned, path).toContain(path);
    }
  });

  it("reports a spec that does not validate instead of producing it", () => {
    const document = {
      asyncapi: "3.0.0",
      info: { title: "shop", version: "1" },
      components: {
        messages: {
          A: {
            name: "order.created",
            "x-evgen-key": "orderId",
            payload: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
          },
        },
      },
      operations: {
        c: {
          action: "receive",
          channel: { $ref: "#/channels/x" },
          "x-evgen-consumer": { name: "c", retry: { attempts: 0 } },
        },
      },
      channels: { x: { address: "x", messages: { A: { $ref: "#/components/messages/A" } } } },
    };
    const result = importAsyncApi(JSON.stringify(document), { broker: "kafka" });
    expect(result.ok).toBe(false);
    expect(result.issues.some((issue) => issue.path.startsWith("consumers.c.retry.attempts"))).toBe(true);
  });

  it("writes what maps when a detail does not: a default that does not fit, a type named like an event", () => {
    const document = {
      asyncapi: "3.1.0",
      info: { title: "shop", version: "1" },
      channels: {
        orders: { address: "orders", messages: { OrderPlaced: { $ref: "#/components/messages/OrderPlaced" } } },
      },
      components: {
        messages: { OrderPlaced: { name: "OrderPlaced", payload: { $ref: "#/components/schemas/Wrapper" } } },
        schemas: {
          Wrapper: {
            type: "object",
            properties: {
              order: { $ref: "#/components/schemas/ShopOrderPlaced" },
              gift: { type: "boolean", default: "false" },
            },
          },
          ShopOrderPlaced: {
            allOf: [
              { $ref: "#/components/schemas/Base" },
              { type: "object", properties: { total: { type: "number" } }, required: ["total"] },
            ],
          },
          Base: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        },
      },
    };
    const result = importAsyncApi(JSON.stringify(document), { broker: "kafka" });
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    const ir = irOf(result.text);
    // The event shop.order-placed is ShopOrderPlaced in TypeScript: the schema of that name is renamed.
    expect(ir.types.map((t) => [t.name, t.fields.map((f) => f.name)])).toEqual([
      ["ShopOrderPlacedType", ["id", "total"]],
    ]);
    const gift = ir.events[0]!.versions[0]!.fields.find((f) => f.name === "gift")!;
    expect(gift.type).toMatchObject({ kind: "boolean" });
    expect(gift.type.default).toBeUndefined();
    expect(result.warnings).toContainEqual({
      path: "#/components/schemas/Wrapper/properties/gift/default",
      message: expect.stringMatching(/^default "false" is not imported: expected true or false/),
    });
    expect(result.warnings.map((w) => w.path)).toContain("#/components/schemas/ShopOrderPlaced");
  });

  it("follows $refs to local YAML and JSON files through readFile, and no others", () => {
    const document = {
      asyncapi: "3.0.0",
      info: { title: "shop", version: "1" },
      channels: {
        orders: { address: "orders", messages: { Placed: { $ref: "common/messages.yaml#/placed" } } },
        other: {
          address: "other",
          messages: { A: { $ref: "/etc/passwd" }, B: { $ref: "https://example.com/m.yaml#/b" } },
        },
      },
    };
    const files: Record<string, string> = {
      "common/messages.yaml": "placed:\n  name: order.placed\n  payload:\n    $ref: './schemas.yaml#/Order'\n",
      "common/schemas.yaml": "Order:\n  type: object\n  properties:\n    id: { type: string }\n  required: [id]\n",
    };
    const asked: string[] = [];
    const result = importAsyncApi(JSON.stringify(document), {
      broker: "kafka",
      readFile: (path) => (asked.push(path), files[path]),
    });
    expect(result.ok).toBe(true);
    expect(asked).toEqual(["common/messages.yaml", "common/schemas.yaml"]);
    expect(irOf(result.text).events.map((e) => [e.type, e.versions[0]!.fields.map((f) => f.name)])).toEqual([
      ["order.placed", ["id"]],
    ]);
    const notFollowed = result.warnings.filter((w) => w.message.includes("is not followed")).map((w) => w.path);
    expect(notFollowed).toEqual(["#/channels/other/messages/A", "#/channels/other/messages/B"]);
  });

  it("reads JSON Schema payloads given in YAML (application/schema+yaml)", () => {
    const document = {
      asyncapi: "3.0.0",
      info: { title: "chat", version: "1" },
      components: {
        messages: {
          said: {
            name: "chat.said",
            payload: {
              schemaFormat: "application/schema+yaml;version=draft-07",
              schema: { type: "object", properties: { text: { type: "string" } } },
            },
          },
        },
      },
    };
    const result = importAsyncApi(JSON.stringify(document), { broker: "kafka" });
    expect(result.ok).toBe(true);
    expect(irOf(result.text).events[0]!.versions[0]!.fields.map((f) => f.name)).toEqual(["text"]);
  });

  it("refuses what is not an AsyncAPI 3 document", () => {
    expect(() => importAsyncApi("asyncapi: 2.6.0\ninfo: { title: x, version: '1' }\n")).toThrow(AsyncApiImportError);
    expect(() => importAsyncApi("openapi: 3.1.0\n")).toThrow(/asyncapi/);
    expect(() => importAsyncApi("{ not yaml")).toThrow(AsyncApiImportError);
  });
});

describe("import asyncapi: servers", () => {
  it("keeps the servers of several environments as named servers, the first one the default", () => {
    const document = {
      asyncapi: "3.0.0",
      info: { title: "shop", version: "1" },
      servers: {
        production: { host: "kafka-1.prod:9092", protocol: "kafka" },
        staging: { host: "kafka.staging:9092", protocol: "kafka" },
      },
      components: {
        messages: {
          placed: { name: "order.placed", payload: { type: "object", properties: { id: { type: "string" } } } },
        },
      },
    };
    const result = importAsyncApi(JSON.stringify(document));
    expect(result.ok).toBe(true);
    const ir = irOf(result.text);
    expect(settingsOf(ir, "kafka").brokers).toEqual(["kafka-1.prod:9092"]);
    expect(settingsOf(ir, "kafka").servers).toEqual({
      production: ["kafka-1.prod:9092"],
      staging: ["kafka.staging:9092"],
    });
  });

  it.each([
    ["kafka", "kafka:\n  brokers: [a:9092]\n  servers: { production: [p1:9092, p2:9092], kafka: [k:9092] }\n"],
    [
      "rabbitmq",
      "rabbitmq:\n  url: amqp://localhost\n  servers: { production: amqps://rabbit.prod/shop, staging: amqp://rabbit.staging:5673 }\n",
    ],
  ])("%s: export then import keeps the named servers", (broker, section) => {
    const text = `evgen: 1\nservice: shop\nbroker: ${broker}\n${section}events:\n  order.placed: { schema: { id: string } }\n`;
    const before = irOf(text);
    const result = importAsyncApi(renderAsyncApi(before));
    expect(result.warnings).toEqual([]);
    const after = irOf(result.text);
    expect(after.settings).toEqual(before.settings);
  });
});

describe("import asyncapi: the group or queue a receive operation names", () => {
  const messages = (text: string, broker: "kafka" | "rabbitmq") =>
    importAsyncApi(text, { broker }).warnings.map((warning) => warning.message);

  it("Kafka: keeps a usable groupId, and says which it cannot use", () => {
    const text = `asyncapi: 3.0.0
info: { title: shop, version: "1" }
servers: { prod: { host: "k1:9092", protocol: kafka } }
channels:
  orders: { address: orders, messages: { created: { name: order.created, payload: { type: object } } } }
operations:
  receive.a: { action: receive, channel: { $ref: "#/channels/orders" }, bindings: { kafka: { groupId: { enum: ["bad name!"] } } } }
  receive.b: { action: receive, channel: { $ref: "#/channels/orders" }, bindings: { kafka: { groupId: { const: "custom.group" } } } }
`;
    expect(messages(text, "kafka")).toContain(
      "'bad name!' cannot name a Kafka group evgen derives topics or queues from: the consumer uses 'shop.bad-name'",
    );
    expect(importAsyncApi(text).text).toContain("groupId: custom.group");
  });

  it("RabbitMQ: reads the queue of the operation's channel, durable and shared", () => {
    const text = `asyncapi: 3.0.0
info: { title: shop, version: "1" }
servers: { mq: { host: "mq:5672", protocol: amqp } }
channels:
  q: { address: "bad name", bindings: { amqp: { is: queue, queue: { name: "bad name", durable: false } } }, messages: { created: { name: order.created, payload: { type: object } } } }
operations:
  receive.a: { action: receive, channel: { $ref: "#/channels/q" } }
`;
    expect(messages(text, "rabbitmq")).toEqual(
      expect.arrayContaining([
        "evgen's queues are durable: imported as durable",
        "'bad name' cannot name a RabbitMQ queue evgen derives topics or queues from: the consumer uses 'shop.a'",
      ]),
    );
  });
});
