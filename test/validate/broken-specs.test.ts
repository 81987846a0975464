// One broken spec per row: the exact issues a user sees (line:col and message), nothing more.
import { describe, expect, it } from "vitest";
import { brief, issuesOf, yaml } from "./helpers.js";

interface Case {
  name: string;
  spec: string;
  issues: string[];
  /** Hint of the first error, when it has one worth checking. */
  hint?: string;
}

const HEAD = yaml`
  evgen: 1
  service: shop
  broker: kafka
`;
const RABBIT_HEAD = HEAD.replace("kafka", "rabbitmq");

const cases: Case[] = [
  // --- top level
  {
    name: "wrong spec format version",
    spec: yaml`
      evgen: 2
      service: shop
      broker: kafka
      events: { order.created: { schema: { id: uuid } } }
    `,
    issues: ["1:8 must be 1 (got 2)"],
  },
  {
    name: "missing service",
    spec: yaml`
      evgen: 1
      broker: kafka
      events: { order.created: { schema: { id: uuid } } }
    `,
    issues: ["1:1 'service' is required"],
  },
  {
    name: "service name not in kebab case",
    spec: yaml`
      evgen: 1
      service: My_Shop
      broker: kafka
      events: { order.created: { schema: { id: uuid } } }
    `,
    issues: ["2:10 'My_Shop' is not valid: service names are [a-z][a-z0-9-]*"],
  },
  {
    name: "service name longer than an npm package name",
    spec: `evgen: 1\nservice: ${"s".repeat(215)}\nbroker: kafka\nevents: { order.created: { schema: { id: uuid } } }\n`,
    issues: ["2:10 a service name has at most 214 characters (it is the npm package name)"],
  },
  {
    name: "http that is not a boolean",
    spec: `${HEAD}events:\n  order.created:\n    schema: { id: uuid }\n    http: "no"\n`,
    issues: ["7:11 expected true or false, got 'no'"],
  },
  {
    name: "default that is not a valid email",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      replyTo: { type: string, format: email, default: nobody }\n`,
    issues: ["7:56 default does not match the field's type: 'nobody' is not a valid email"],
  },
  {
    name: "misspelt broker",
    spec: yaml`
      evgen: 1
      service: shop
      broker: kafak
      events: { order.created: { schema: { id: uuid } } }
    `,
    issues: ["3:9 must be one of: kafka, rabbitmq (got 'kafak')"],
    hint: "did you mean 'kafka'?",
  },
  {
    name: "unknown top-level key",
    spec: `${HEAD}event:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["1:1 'events' is required", "4:1 unknown key 'event'"],
  },
  {
    name: "no events",
    spec: `${HEAD}events: {}\n`,
    issues: ["4:9 declare at least one event"],
  },
  {
    name: "events left empty",
    spec: `${HEAD}events:\n`,
    issues: ["4:1 expected a mapping, got nothing"],
  },
  // --- event names and payloads
  {
    name: "event type with capitals",
    spec: `${HEAD}events:\n  Order.Created: { schema: { id: uuid } }\n`,
    issues: ["5:3 'Order.Created' is not valid: event types are 2+ dot-separated segments of [a-z][a-z0-9-]*"],
  },
  {
    name: "event type with one segment",
    spec: `${HEAD}events:\n  order: { schema: { id: uuid } }\n`,
    issues: ["5:3 'order' is not valid: event types are 2+ dot-separated segments of [a-z][a-z0-9-]*"],
  },
  {
    name: "event with schema and versions",
    spec: `${HEAD}events:\n  order.created:\n    schema: { id: uuid }\n    versions: { 2: { id: uuid } }\n`,
    issues: ["7:5 give either schema or versions, not both"],
  },
  {
    name: "event without payload",
    spec: `${HEAD}events:\n  order.created:\n    description: no payload\n`,
    issues: ["5:3 event 'order.created' needs a schema (or versions)"],
  },
  {
    name: "version that is not a number",
    spec: `${HEAD}events:\n  order.created:\n    versions:\n      v1: { id: uuid }\n`,
    issues: ["7:7 version 'v1' is not valid: versions are positive integers (1, 2, ...)"],
  },
  {
    name: "version zero",
    spec: `${HEAD}events:\n  order.created:\n    versions:\n      0: { id: uuid }\n`,
    issues: ["7:7 version '0' is not valid: versions are positive integers (1, 2, ...)"],
  },
  {
    name: "field name with a dash",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      order-id: uuid\n`,
    issues: ["7:7 'order-id' is not valid: field names are [A-Za-z_][A-Za-z0-9_]*, with ? at the end when optional"],
  },
  {
    name: "__proto__ as a field name",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      __proto__: string\n`,
    issues: ["7:7 '__proto__' cannot be used as a key"],
  },
  {
    name: "field declared optional and required",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      id: uuid\n      id?: uuid\n`,
    issues: ["8:7 field 'id' is declared twice (as 'id' and 'id?')"],
  },
  // --- field types
  {
    name: "misspelt built-in type",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      id: uuid\n      total: nubmer\n`,
    issues: ["8:14 unknown type 'nubmer'"],
    hint: "did you mean 'number'?",
  },
  {
    name: "misspelt named type in a list",
    spec: `${HEAD}types:\n  LineItem: { sku: string }\nevents:\n  order.created:\n    schema:\n      items: LineItm[]\n`,
    issues: ["5:3 warning: type 'LineItem' is not used by any event", "9:14 unknown type 'LineItm'"],
    hint: "did you mean 'LineItem'?",
  },
  {
    name: "$ref to an undeclared type",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      address: { $ref: Address }\n`,
    issues: ["7:24 unknown type 'Address'"],
    hint: "declare it under types:",
  },
  {
    name: "$ref written as a JSON pointer",
    spec: `${HEAD}types:\n  Address: { city: string }\nevents:\n  order.created:\n    schema:\n      address: { $ref: "#/types/Address" }\n`,
    issues: ["5:3 warning: type 'Address' is not used by any event", "9:24 unknown type '#/types/Address'"],
    hint: "write the type name: $ref: Address",
  },
  {
    name: "nested fields without type: object",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      address: { city: string }\n`,
    issues: ["7:16 a field type is a type name or an object with one of type, $ref, enum, const, oneOf, anyOf"],
    hint: "for nested fields write { type: object, properties: { ... } } or declare a named type under types:",
  },
  {
    name: "field type that is a number",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      count: 5\n`,
    issues: ["7:14 a field type is a type name or an object with one of type, $ref, enum, const, oneOf, anyOf, got 5"],
  },
  {
    name: "misspelt JSON Schema keyword",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      total: { type: number, minimun: 0 }\n`,
    issues: ["7:30 unknown key 'minimun'"],
    hint: "did you mean 'minimum'?",
  },
  {
    name: "string keyword on a number",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      total: { type: number, maxLength: 3 }\n`,
    issues: ["7:30 'maxLength' applies only to fields of type string"],
  },
  {
    name: "minimum above maximum",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      qty: { type: integer, minimum: 10, maximum: 1 }\n`,
    issues: ["7:29 minimum (10) is greater than maximum (1)"],
  },
  {
    name: "pattern that does not compile",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      sku: { type: string, pattern: "[a-" }\n`,
    issues: [
      "7:28 pattern is not a valid regular expression: Invalid regular expression: /[a-/u: Unterminated character class",
    ],
  },
  {
    name: "required property that is not declared",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      pos: { type: object, properties: { x: integer }, required: [x, y] }\n`,
    issues: ["7:56 required lists 'y', which is not one of the properties"],
  },
  {
    name: "type list with two types",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      id: { type: [string, integer] }\n`,
    issues: ["7:13 a type list holds one type and null, e.g. [string, null]"],
  },
  {
    name: "type combined with $ref",
    spec: `${HEAD}types:\n  Money: { amount: number }\nevents:\n  order.created:\n    schema:\n      total: { type: object, $ref: Money }\n`,
    issues: ["9:16 type cannot be combined with $ref"],
  },
  {
    name: "enum and const together",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      kind: { enum: [a, b], const: a }\n`,
    issues: ["7:29 use only one of enum, const in a field type"],
  },
  {
    name: "enum value of the wrong type",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      level: { type: integer, enum: [1, two] }\n`,
    issues: ["7:41 enum value does not fit the field's type: expected an integer, got 'two'"],
  },
  {
    name: "enum listing a value twice",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      level: { enum: [low, high, low] }\n`,
    issues: ["7:16 enum lists a value twice"],
  },
  {
    name: "default of the wrong type",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      qty: { type: integer, default: "1" }\n`,
    issues: ["7:38 default does not match the field's type: expected an integer, got '1'"],
  },
  {
    name: "default outside the enum",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      currency: { type: string, enum: [EUR, USD], default: GBP }\n`,
    issues: ["7:60 default does not match the field's type: 'GBP' is not one of 'EUR', 'USD'"],
  },
  {
    name: "default of a named type missing a required field",
    spec: `${HEAD}types:\n  Money: { amount: number, currency: string }\nevents:\n  order.created:\n    schema:\n      total: { $ref: Money, default: { amount: 1 } }\n`,
    issues: ["9:38 default does not match the field's type: 'currency' is missing"],
  },
  {
    name: "unknown string format",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      ip: { type: string, format: ipv4 }\n`,
    issues: ["7:35 must be one of: uuid, email, uri, url, date-time, datetime, date (got 'ipv4')"],
  },
  {
    name: "const that does not fit its type",
    spec: `${HEAD}events:\n  order.created:\n    schema:\n      kind: { type: string, const: 3 }\n`,
    issues: ["7:36 const does not fit the field's type: expected a string, got 3"],
  },
  // --- named types
  {
    name: "type name not in PascalCase",
    spec: `${HEAD}types:\n  line_item: { sku: string }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["5:3 'line_item' is not valid: type names are PascalCase: [A-Z][A-Za-z0-9]*"],
  },
  {
    name: "types referring to each other in a loop",
    spec: `${HEAD}types:\n  Node: { parent: Tree }\n  Tree: { root: Node }\nevents:\n  order.created: { schema: { tree: Tree } }\n`,
    issues: ["5:3 type 'Node' refers to itself: Node -> Tree -> Node"],
  },
  {
    name: "type named like a generated event type",
    spec: `${HEAD}types:\n  OrderCreated: { id: uuid }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: [
      "5:3 warning: type 'OrderCreated' is not used by any event",
      "7:3 event 'order.created' and type 'OrderCreated' both become the TypeScript name 'OrderCreated'",
    ],
  },
  {
    name: "type named like a global",
    spec: `${HEAD}types:\n  Date: { day: date }\nevents:\n  order.created: { schema: { day: Date } }\n`,
    issues: ["5:3 type 'Date' would be the TypeScript name 'Date', which is reserved"],
  },
  {
    name: "two events with the same TypeScript name",
    spec: `${HEAD}events:\n  shop.order-created: { schema: { id: uuid } }\n  shop-order.created: { schema: { id: uuid } }\n`,
    issues: [
      "6:3 event 'shop-order.created' and event 'shop.order-created' both become the TypeScript name 'ShopOrderCreated'",
      "6:25 version 1 of event 'shop-order.created' and version 1 of event 'shop.order-created' both become the TypeScript name 'ShopOrderCreatedV1'",
    ],
  },
  // --- key and topic
  {
    name: "key that is not a field",
    spec: `${HEAD}events:\n  order.created:\n    key: orderid\n    schema: { orderId: uuid }\n`,
    issues: ["6:10 key 'orderid' is not a field of version 1"],
    hint: "did you mean 'orderId'?",
  },
  {
    name: "optional key",
    spec: `${HEAD}events:\n  order.created:\n    key: orderId\n    schema: { orderId?: uuid }\n`,
    issues: ["6:10 key 'orderId' must be a required field, but version 1 declares it as 'orderId?'"],
  },
  {
    name: "key that is not a scalar",
    spec: `${HEAD}events:\n  order.created:\n    key: paid\n    schema: { paid: boolean }\n`,
    issues: ["6:10 key 'paid' must be a string, number or integer field (version 1)"],
  },
  {
    name: "key missing from a later version",
    spec: `${HEAD}events:\n  order.created:\n    key: orderId\n    versions:\n      1: { orderId: uuid }\n      2: { id: uuid }\n`,
    issues: [
      "6:10 key 'orderId' is not a field of version 2",
      "9:7 warning: version 2 of 'order.created' breaks version 1: field 'orderId' was removed",
    ],
  },
  {
    name: "topic with RabbitMQ",
    spec: `${RABBIT_HEAD}events:\n  order.created:\n    topic: orders\n    schema: { id: uuid }\n`,
    issues: ["6:5 topic applies only when broker is kafka"],
    hint: "remove it: RabbitMQ routes events by their type",
  },
  {
    name: "topic with a slash",
    spec: `${HEAD}events:\n  order.created:\n    topic: orders/eu\n    schema: { id: uuid }\n`,
    issues: ["6:12 'orders/eu' is not valid: Kafka topic names are letters, digits, '.', '_' and '-'"],
  },
  {
    name: "topic '..'",
    spec: `${HEAD}events:\n  order.created:\n    topic: ".."\n    schema: { id: uuid }\n`,
    issues: ["6:12 '.' and '..' are not valid Kafka topic names"],
  },
  {
    name: "topic longer than Kafka allows",
    spec: `${HEAD}events:\n  order.created:\n    topic: ${"t".repeat(250)}\n    schema: { id: uuid }\n`,
    issues: ["6:12 a Kafka topic name has at most 249 characters"],
  },
  {
    name: "event topic that is a consumer's dead-letter topic",
    spec: `${HEAD}events:\n  order.created:\n    topic: shop.mailer.dlq\n    schema: { id: uuid }\nconsumers:\n  mailer: { on: [order.created] }\n`,
    issues: ["6:12 topic 'shop.mailer.dlq' is also a retry or dead-letter topic of consumer 'mailer'"],
  },
  // --- consumers
  {
    name: "consumer name with capitals",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  Mailer: { on: [order.created] }\n`,
    issues: ["7:3 'Mailer' is not valid: consumer names are [a-z][a-z0-9-]*"],
  },
  {
    name: "consumer without on",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { concurrency: 2 }\n`,
    issues: ["7:3 'on' is required"],
  },
  {
    name: "on written as a single event",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: order.created }\n`,
    issues: ["7:17 expected a list, got 'order.created'"],
  },
  {
    name: "consumer handling an undeclared event",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.craeted] }\n`,
    issues: ["7:18 unknown event 'order.craeted'"],
    hint: "did you mean 'order.created'?",
  },
  {
    name: "consumer emitting an undeclared event",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created], emits: [mail.sent] }\n`,
    issues: ["7:42 unknown event 'mail.sent'"],
    hint: "declare it under events:",
  },
  {
    name: "event listed twice",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created, order.created] }\n`,
    issues: ["7:33 'order.created' is listed twice"],
  },
  {
    name: "unknown key in retry",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    retry: { attempts: 3, dealy: 1s }\n`,
    issues: ["9:27 unknown key 'dealy'"],
    hint: "did you mean 'delay'?",
  },
  {
    name: "routingKey with Kafka",
    spec: `${HEAD}events:\n  order.created:\n    routingKey: order.placed\n    schema: { id: uuid }\n`,
    issues: ["6:5 routingKey applies only when broker is rabbitmq"],
  },
  {
    name: "a wildcard in a routing key",
    spec: `${RABBIT_HEAD}events:\n  order.created:\n    routingKey: order.*\n    schema: { id: uuid }\n`,
    issues: ["6:17 'order.*' is not valid: routing keys are dot-separated words of letters, digits, '_', ':' and '-'"],
  },
  {
    name: "queue with Kafka",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created], queue: mails }\n`,
    issues: ["7:34 queue applies only when broker is rabbitmq"],
  },
  {
    name: "two consumers on one queue",
    spec: `${RABBIT_HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  a: { on: [order.created], queue: shared }\n  b: { on: [order.created], queue: shared }\n`,
    issues: ["8:36 consumers 'a' and 'b' both use the queue 'shared'"],
  },
  {
    name: "retry.mode with RabbitMQ",
    spec: `${RABBIT_HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    retry: { mode: blocking }\n`,
    issues: ["9:14 retry.mode applies only when broker is kafka"],
  },
  {
    name: "misspelt retry mode",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    retry: { mode: blockin }\n`,
    issues: ["9:20 must be one of: non-blocking, blocking (got 'blockin')"],
    hint: "did you mean 'blocking'?",
  },
  {
    name: "duration without unit",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    timeout: 30\n`,
    issues: ["9:14 expected text, got 30"],
  },
  {
    name: "duration with an unknown unit",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    timeout: 2w\n`,
    issues: ["9:14 '2w' is not a duration: write <n>ms, <n>s, <n>m, <n>h or <n>d"],
  },
  {
    name: "duration longer than a timer can wait",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    retry: { maxDelay: 1000h }\n`,
    issues: ["9:24 must not exceed 596h (the longest timer Node.js supports)"],
  },
  {
    name: "zero attempts",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    retry: { attempts: 0 }\n`,
    issues: ["9:24 must be at least 1"],
  },
  {
    name: "fractional concurrency",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    concurrency: 1.5\n`,
    issues: ["9:18 must be a whole number, got 1.5"],
  },
  {
    name: "unknown idempotency store",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    idempotency: redis2\n`,
    issues: ["9:18 must be one of: none, memory, redis, postgres (got 'redis2')"],
    hint: "did you mean 'redis'?",
  },
  {
    name: "deadLetter as text",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    deadLetter: "yes"\n`,
    issues: ["9:17 expected true or false, got 'yes'"],
  },
  {
    name: "consumers with the same identifier",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  send-mail: { on: [order.created] }\n  send--mail: { on: [order.created] }\n`,
    issues: ["8:3 consumers 'send-mail' and 'send--mail' both become the identifier 'sendMail'"],
  },
  {
    name: "queue name longer than RabbitMQ allows",
    spec: `${RABBIT_HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  ${"m".repeat(250)}: { on: [order.created] }\n`,
    issues: [
      `7:3 consumer '${"m".repeat(250)}' needs the RabbitMQ queue 'shop.${"m".repeat(250)}.retry-1s', longer than the 255 allowed`,
    ],
  },
  // --- filters
  {
    name: "filter on a misspelt field",
    spec: `${HEAD}events:\n  mail.requested: { schema: { channel: string } }\nconsumers:\n  mailer: { on: [mail.requested], filter: { data.chanel: email } }\n`,
    issues: [
      "7:45 filter path 'data.chanel': there is no field 'chanel' (did you mean 'channel'?) in 'mail.requested' (version 1)",
    ],
  },
  {
    name: "filter on an unknown envelope attribute",
    spec: `${HEAD}events:\n  mail.requested: { schema: { channel: string } }\nconsumers:\n  mailer: { on: [mail.requested], filter: { typ: mail.requested } }\n`,
    issues: ["7:45 unknown filter path 'typ'"],
    hint: "did you mean 'type'?",
  },
  {
    name: "filter value that can never match",
    spec: `${HEAD}events:\n  mail.requested: { schema: { priority: integer } }\nconsumers:\n  mailer: { on: [mail.requested], filter: { data.priority: [1, high] } }\n`,
    issues: ["7:64 filter value can never match 'data.priority' of 'mail.requested': expected an integer, got 'high'"],
  },
  {
    name: "filter on a list field",
    spec: `${HEAD}events:\n  mail.requested: { schema: { tags: "string[]" } }\nconsumers:\n  mailer: { on: [mail.requested], filter: { data.tags: vip } }\n`,
    issues: ["7:56 'data.tags' of 'mail.requested' is a list (use contains); a filter compares single values"],
  },
  {
    name: "filter comparing a text field with a number",
    spec: `${HEAD}events:\n  mail.requested: { schema: { channel: string } }\nconsumers:\n  mailer: { on: [mail.requested], filter: { data.channel: { gt: 3 } } }\n`,
    issues: ["7:65 gt compares numbers, date-times and dates; 'data.channel' of 'mail.requested' is none of them"],
  },
  {
    name: "filter bounds of the wrong kind for the field",
    spec: `${HEAD}events:\n  mail.requested: { schema: { total: number, at: datetime, day: date } }\nconsumers:\n  mailer:\n    on: [mail.requested]\n    filter: { data.total: { gte: ten }, data.at: { lt: 2025-01-01 }, data.day: { lte: 2025-13-01 } }\n`,
    issues: [
      "9:34 gte on 'data.total' of 'mail.requested' needs a number, got 'ten'",
      "9:56 lt on 'data.at' of 'mail.requested' needs an RFC 3339 date-time, got '2025-01-01'",
      "9:87 lte on 'data.day' of 'mail.requested' needs a date (YYYY-MM-DD), got '2025-13-01'",
    ],
  },
  {
    name: "filter bounds that contradict each other",
    spec: `${HEAD}events:\n  mail.requested: { schema: { total: number } }\nconsumers:\n  mailer:\n    on: [mail.requested]\n    filter: { data.total: { gt: 10, gte: 11 } }\n  texter:\n    on: [mail.requested]\n    filter: { data.total: { gte: 10, lt: 10 } }\n`,
    issues: [
      "9:27 give one lower bound: gt or gte, not both",
      "12:27 no value lies between these bounds: the filter can never match",
    ],
  },
  {
    name: "filter conditions that can never match",
    spec: `${HEAD}events:\n  mail.requested: { schema: { channel: string, "tags?": "string[]", "count?": integer } }\nconsumers:\n  mailer:\n    on: [mail.requested]\n    filter:\n      data.channel: { exists: false }\n      data.tags: { contains: 3 }\n      data.count: { contains: 3, not: [1, x] }\n      time: { exists: false }\n      data.missing: { exists: true }\n      dataversion: { gte: x }\n      type: {}\n`,
    issues: [
      "10:31 'data.channel' of 'mail.requested' is required and never null, so exists: false can never match",
      "11:30 contains can never match 'data.tags' of 'mail.requested': expected a string, got 3",
      "12:31 contains tests lists; 'data.count' of 'mail.requested' is not a list",
      "12:43 not: the value can never occur in 'data.count' of 'mail.requested': expected an integer, got 'x'",
      "13:23 'time' is on every event, so exists: false can never match",
      "14:7 filter path 'data.missing': there is no field 'missing' in 'mail.requested' (version 1)",
      "15:27 gte on 'dataversion' needs a number, got 'x'",
      "16:13 a filter condition needs at least one of not, exists, gt, gte, lt, lte, contains",
    ],
  },
  {
    name: "filter on type naming an event the consumer does not handle",
    spec: `${HEAD}events:\n  mail.requested: { schema: { id: uuid } }\n  sms.requested: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [mail.requested], filter: { type: sms.requested } }\n`,
    issues: ["8:51 'sms.requested' is not one of the events this consumer handles"],
  },
  {
    name: "circuit breaker with a rate that is not a percentage, and no time to stay open",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer:\n    on: [order.created]\n    circuitBreaker: { failureRate: 0.5, minimumCalls: 0, openFor: 0s, windw: 1m }\n`,
    issues: [
      "9:36 expected text, got 0.5",
      "9:55 must be at least 1",
      "9:67 circuitBreaker.openFor must be longer than 0",
      "9:71 unknown key 'windw'",
    ],
  },
  {
    name: "circuit breaker rate above 100%",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created], circuitBreaker: { failureRate: 150%, window: 0ms } }\n`,
    issues: ["7:65 must not exceed 100%", "7:79 circuitBreaker.window must be longer than 0"],
  },
  {
    name: "idempotency ttl that is not a duration",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created], idempotency: { store: postgres, ttl: 7 days } }\n`,
    issues: ["7:71 '7 days' is not a duration: write <n>ms, <n>s, <n>m, <n>h or <n>d"],
  },
  {
    name: "idempotency ttl longer than ten years, and an unknown store",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created], idempotency: { store: mysql, ttl: 4000d } }\n`,
    issues: ["7:56 must be one of: none, memory, redis, postgres (got 'mysql')", "7:68 must not exceed 3650d"],
  },
  {
    name: "idempotency store misspelt in the short form",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created], idempotency: postgre }\n`,
    issues: ["7:47 must be one of: none, memory, redis, postgres (got 'postgre')"],
    hint: "did you mean 'postgres'?",
  },
  {
    name: "RabbitMQ: an event emitted that no consumer of the spec handles",
    spec: `${RABBIT_HEAD}events:\n  mail.requested: { schema: { id: uuid } }\n  mail.sent: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [mail.requested], emits: [mail.sent] }\n`,
    issues: ["8:43 warning: 'mail.sent' is emitted but consumed by no consumer of this spec"],
  },
  {
    name: "RabbitMQ: a consumer named like the queue of unbound events",
    spec: `${RABBIT_HEAD}events:\n  mail.requested: { schema: { id: uuid } }\nconsumers:\n  unrouted: { on: [mail.requested] }\n`,
    issues: ["7:3 the queue 'shop.unrouted' holds the events no queue is bound to"],
  },
  // --- broker sections
  {
    name: "Kafka broker without port",
    spec: `${HEAD}kafka: { brokers: [localhost] }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["4:20 'localhost' is not valid: a broker address is host:port"],
  },
  {
    name: "RabbitMQ url with another scheme",
    spec: `${RABBIT_HEAD}rabbitmq: { url: "http://127.0.0.1:5672" }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["4:18 'http://127.0.0.1:5672' is not an amqp:// or amqps:// URL"],
  },
  {
    name: "reserved exchange name",
    spec: `${RABBIT_HEAD}rabbitmq: { exchange: amq.shop }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["4:23 exchange names starting with 'amq.' are reserved by RabbitMQ"],
  },
  {
    name: "unknown queue type",
    spec: `${RABBIT_HEAD}rabbitmq: { queueType: stream }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["4:24 must be one of: quorum, classic (got 'stream')"],
  },
  {
    name: "unknown Kafka client",
    spec: `${HEAD}kafka: { client: librdkafka }\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["4:18 must be one of: kafkajs, platformatic (got 'librdkafka')"],
  },
  // --- YAML itself
  {
    name: "duplicate key",
    spec: `${HEAD}broker: rabbitmq\nevents:\n  order.created: { schema: { id: uuid } }\n`,
    issues: ["4:1 duplicate key 'broker': a key may appear only once in a mapping"],
  },
  {
    name: "unclosed flow sequence",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\nconsumers:\n  mailer: { on: [order.created }\n`,
    issues: [
      "7:32 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    name: "list type inside a flow mapping",
    spec: `${HEAD}events:\n  order.created: { schema: { items: LineItem[] } }\n`,
    issues: ["5:45 YAML syntax error: Unexpected flow-seq-start at node end"],
    hint: 'inside { } quote list types: "LineItem[]"',
  },
  {
    name: "two YAML documents",
    spec: `${HEAD}events:\n  order.created: { schema: { id: uuid } }\n---\nevgen: 1\n`,
    issues: ["6:1 a spec is one YAML document: remove the '---' separator and what follows"],
  },
  {
    name: "infinite default",
    spec: `${HEAD}events:\n  order.created: { schema: { total: { type: number, default: .inf } } }\n`,
    issues: ["5:62 numbers must be finite, got Infinity"],
  },
  {
    name: "tab indentation",
    spec: `${HEAD}events:\n\torder.created: { schema: { id: uuid } }\n`,
    issues: ["5:1 YAML syntax error: Tabs are not allowed as indentation"],
  },
  {
    name: "a list instead of a mapping",
    spec: "- evgen: 1\n",
    issues: ["1:1 expected a mapping, got a list"],
  },
  // --- windows
  {
    name: "window key on a field optional in one version",
    spec: `${HEAD}events:\n  act.done:\n    versions:\n      1: { user: string }\n      2: { user?: string }\n  act.sum: { schema: { n: integer } }\nconsumers:\n  w: { on: [act.done], emits: [act.sum], window: { size: 1m, by: data.user } }\n`,
    issues: [
      "11:66 window.by 'data.user': 'user' is optional, so some events would have no window key in 'act.done' (version 2)",
    ],
  },
  {
    name: "window key on a list, and a summary event missing",
    spec: `${HEAD}events:\n  act.done: { schema: { tags: "string[]" } }\nconsumers:\n  w: { on: [act.done], window: { size: 1m, by: data.tags } }\n`,
    issues: [
      "7:3 a window consumer emits exactly one event, its summary (found 0)",
      "7:48 window.by 'data.tags': 'tags' is not a string, number or boolean in 'act.done' (version 1)",
    ],
  },
  {
    name: "window of size zero in an unknown store",
    spec: `${HEAD}events:\n  act.done: { schema: { user: string } }\n  act.sum: { schema: { n: integer } }\nconsumers:\n  w: { on: [act.done], emits: [act.sum], window: { size: 0s, by: data.user, store: mongo } }\n`,
    issues: ["8:58 must be at least 100ms", "8:84 must be one of: memory, redis, postgres (got 'mongo')"],
  },
  {
    name: "window key on a field that may be null",
    spec: `${HEAD}events:\n  act.done: { schema: { user: { type: [string, "null"] } } }\n  act.sum: { schema: { n: integer } }\nconsumers:\n  w: { on: [act.done], emits: [act.sum], window: { size: 1m, by: data.user } }\n`,
    issues: [
      "8:66 window.by 'data.user': 'user' may be null, so some events would have no window key in 'act.done' (version 1)",
    ],
  },
  {
    name: "window key outside the payload",
    spec: `${HEAD}events:\n  act.done: { schema: { user: string } }\n  act.sum: { schema: { n: integer } }\nconsumers:\n  w: { on: [act.done], emits: [act.sum], window: { size: 1m, by: type } }\n`,
    issues: ["8:66 window.by 'type' must be data.<field>, optionally followed by .<field> into objects"],
  },
];

describe("broken specs", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name", ({ spec, issues, hint }) => {
    const found = issuesOf(spec);
    expect(brief(found)).toEqual(issues.map((i) => i.replace(/^(\d+:\d+) warning: /, "$1 ")));
    expect(found.map((i) => i.severity)).toEqual(
      issues.map((i) => (/^\d+:\d+ warning: /.test(i) ? "warning" : "error")),
    );
    if (hint !== undefined) expect(found.find((i) => i.severity === "error")?.hint).toBe(hint);
  });
});
