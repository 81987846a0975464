// Specs made to break evgen or the project it generates: names JavaScript objects already have,
// names the generated code uses itself, nesting deeper than TypeScript or a stack can take, and
// sizes past the limits (docs/spec.md, Limits). Each is refused at validate, at file:line:col.
import { describe, expect, it } from "vitest";
import { MAX_SPEC_BYTES, MAX_YAML_DEPTH } from "../../src/load/limits.js";
import { validateSpec } from "../../src/validate/index.js";
import { MAX_FIELD_NESTING } from "../../src/spec/patterns.js";
import { brief, issuesOf, yaml } from "./helpers.js";

const HEAD = yaml`
  evgen: 1
  service: shop
  broker: kafka
`;

const errors = (spec: string) => issuesOf(spec).filter((issue) => issue.severity === "error");

/** An object field nested `levels` deep: { type: object, properties: { a: ... } } around a string. */
function nested(levels: number): string {
  let type = "string";
  for (let i = 0; i < levels; i++) type = `{ type: object, properties: { a: ${type} } }`;
  return type;
}

describe("names every JavaScript object has", () => {
  it("are refused as field names, optional or not, and as property names", () => {
    const spec = `${HEAD}events:
  order.created:
    schema:
      "__proto__?": { type: object, properties: { x: string } }
      toString?: string
      hasOwnProperty?: string
      constructor: string
      valueOf: integer
      meta: { type: object, properties: { prototype: string, ok: string } }
`;
    expect(brief(errors(spec))).toEqual([
      "7:7 field name '__proto__' cannot be used: it is a name every JavaScript object has",
      "8:7 field name 'toString' cannot be used: it is a name every JavaScript object has",
      "9:7 field name 'hasOwnProperty' cannot be used: it is a name every JavaScript object has",
      "10:7 field name 'constructor' cannot be used: it is a name every JavaScript object has",
      "11:7 field name 'valueOf' cannot be used: it is a name every JavaScript object has",
      "12:43 property name 'prototype' cannot be used: it is a name every JavaScript object has",
    ]);
  });

  it("are refused in filter paths, event types and consumer names", () => {
    const spec = `${HEAD}events:
  order.created:
    schema:
      orderId: uuid
      meta?: { type: object, properties: { x: string } }
  order.constructor:
    schema: { id: uuid }
consumers:
  constructor:
    on: [order.created]
  mailer:
    on: [order.created]
    filter:
      data.__proto__.x: polluted
`;
    const messages = brief(errors(spec));
    expect(messages).toContain(
      "9:3 event type 'order.constructor' has the segment 'constructor' cannot be used: it is a name every JavaScript object has",
    );
    expect(messages).toContain(
      "12:3 consumer name 'constructor' cannot be used: it is a name every JavaScript object has",
    );
    expect(messages).toContain(
      "17:7 filter path 'data.__proto__.x' has the segment '__proto__' cannot be used: it is a name every JavaScript object has",
    );
    expect(Object.prototype).not.toHaveProperty("x");
  });

  it("do not make a key or a type name resolve to Object's members", () => {
    const spec = `${HEAD}events:
  order.created:
    key: constructor
    schema:
      orderId: uuid
      other: toString
`;
    expect(brief(errors(spec))).toEqual([
      "6:10 key 'constructor' is not a field of version 1",
      "9:14 unknown type 'toString'",
    ]);
  });
});

describe("names the generated code uses itself", () => {
  it.each([
    [
      "a type EventDef",
      `types: { EventDef: { id: uuid } }\nevents: { order.created: { schema: { d: EventDef } } }`,
      "type 'EventDef' would be the TypeScript name 'EventDef', which is reserved",
    ],
    [
      "an event event.def",
      `events: { event.def: { schema: { id: uuid } } }`,
      "event 'event.def' would be the TypeScript name 'EventDef', which is reserved",
    ],
    [
      "a type Publisher",
      `types: { Publisher: { id: uuid } }\nevents: { order.created: { schema: { p: Publisher } } }`,
      "type 'Publisher' would be the TypeScript name 'Publisher', which is reserved",
    ],
    [
      "a consumer harness",
      `events: { order.created: { schema: { id: uuid } } }\nconsumers: { harness: { on: [order.created] } }`,
      "consumer 'harness' would be the TypeScript name 'HarnessHandlers', which is reserved",
    ],
  ])("%s is refused", (_, body, message) => {
    expect(errors(`${HEAD}${body}\n`).map((issue) => issue.message)).toEqual([message]);
  });

  it("a service named like the broker or a store in docker-compose.yml is refused", () => {
    const spec = `evgen: 1\nservice: redis\nbroker: rabbitmq\nevents: { order.created: { schema: { id: uuid } } }\nconsumers: { a: { on: [order.created], idempotency: redis } }\n`;
    expect(brief(errors(spec))).toEqual([
      "2:10 service 'redis' would have the same name as the redis service in docker-compose.yml",
    ]);
    expect(errors(spec.replace("idempotency: redis", "idempotency: postgres"))).toEqual([]);
    expect(errors(spec.replace("service: redis", "service: kafka").replace("rabbitmq", "kafka"))).toHaveLength(1);
  });
});

describe("limits", () => {
  it(`field types nest at most ${MAX_FIELD_NESTING} levels`, () => {
    const spec = (levels: number) => `${HEAD}events:\n  order.created:\n    schema:\n      deep: ${nested(levels)}\n`;
    expect(errors(spec(MAX_FIELD_NESTING))).toEqual([]);
    expect(brief(errors(spec(MAX_FIELD_NESTING + 1)))).toEqual([
      `7:7 'deep' nests objects, lists and oneOf/anyOf ${MAX_FIELD_NESTING + 1} levels deep; at most ${MAX_FIELD_NESTING} are supported`,
    ]);
    // 150 levels crashed the generator once; 1000 would exhaust a recursive parser's stack.
    for (const levels of [150, 1000]) {
      const result = validateSpec(spec(levels), "evgen.yaml");
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]!.message).toMatch(/nested more than 64 levels deep|Maximum call stack/);
    }
  });

  it(`mappings and lists nest at most ${MAX_YAML_DEPTH} levels, wherever they are`, () => {
    const deep = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
    const spec = (levels: number) =>
      `${HEAD}events:\n  order.created:\n    schema:\n      v: { type: array, default: ${deep(levels)} }\n`;
    const messages = brief(issuesOf(spec(MAX_YAML_DEPTH)));
    expect(messages.join("\n")).toContain(`nested more than ${MAX_YAML_DEPTH} levels deep`);
    expect(messages[0]).toMatch(/^7:\d+ /);
    expect(brief(issuesOf(spec(20))).join("\n")).not.toContain("levels deep");
  });

  it("a spec larger than 1 MiB is refused before it is parsed", () => {
    const padding = `# ${"x".repeat(1000)}\n`.repeat(Math.ceil(MAX_SPEC_BYTES / 1000));
    const spec = `${HEAD}events: { order.created: { schema: { id: uuid } } }\n${padding}`;
    expect(brief(issuesOf(spec))).toEqual([
      `1:1 the spec is ${Buffer.byteLength(spec)} bytes; evgen reads specs up to 1 MiB`,
    ]);
  });

  it("aliases that expand exponentially are refused", () => {
    const laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      laughs.push(
        `${"bcdefghij"[i - 1]}: &${"bcdefghij"[i - 1]} [${Array(10)
          .fill(`*${"abcdefghij"[i - 1]}`)
          .join(", ")}]`,
      );
    const spec = `${HEAD}events: { order.created: { schema: { id: uuid } } }\nlaughs:\n${laughs.map((l) => `  ${l}`).join("\n")}\n`;
    const started = Date.now();
    const messages = issuesOf(spec).map((issue) => issue.message);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(messages.join("\n")).toMatch(/alias/i);
  });
});

describe("regular expressions", () => {
  const withPattern = (pattern: string, extra = "") =>
    `${HEAD}events:\n  order.created:\n    schema:\n      name: { type: string, pattern: ${JSON.stringify(pattern)}${extra} }\n`;

  it.each(["^\\p{L}+$", "^[A-Z]{2}$", "^\\+[1-9][0-9]{6,14}$", "^([a-z0-9]+\\.)*[a-z]+$", "^[^<>]*$"])(
    "%s is accepted",
    (pattern) => {
      expect(errors(withPattern(pattern))).toEqual([]);
    },
  );

  it("are checked with the flags they run with: a default in \\p{L} fits ^\\p{L}+$", () => {
    expect(errors(withPattern("^\\p{L}+$", ", default: Zoë"))).toEqual([]);
    expect(brief(errors(withPattern("^\\p{L}+$", ", default: '123'")))).toEqual([
      "7:60 default does not match the field's type: '123' does not match the pattern",
    ]);
  });

  it.each([
    ["^(a+)+$", "exponential"],
    ["^(a|a)*$", "exponential"],
    ["^(\\w+\\s?)*$", "exponential"],
    ["^\\d+\\d+$", "polynomial"],
    ["^.*a.*b.*$", "polynomial"],
  ])("%s backtracks catastrophically and is refused at its key, without being run", (pattern, time) => {
    const started = Date.now();
    // The default is the kind of input that makes such a pattern run for ever.
    const found = brief(errors(withPattern(pattern, `, default: "${"a".repeat(40)}!"`)));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^7:\\d+ pattern can backtrack catastrophically: matching takes ${time}`));
  });
});
