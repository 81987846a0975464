// Property-based tests of the loader and validator (fast-check): whatever text or spec-shaped
// value comes in, validation answers with issues at file:line:col and never throws; a spec it
// accepts generates, and generating never writes outside the project or touches Object.prototype.
import fc from "fast-check";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { isProjectPath } from "../../src/commit/paths.js";
import { generate } from "../../src/core.js";
import type { Issue } from "../../src/spec/issue.js";
import { validateSpec } from "../../src/validate/index.js";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT, runCli } from "../support/project.js";

const FILE = "evgen.yaml";

/** Every issue names the file and a line:col inside the text (or just past its end). */
function expectPlaced(issues: Issue[], text: string): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const issue of issues) {
    expect(issue.file).toBe(FILE);
    expect(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lines + 1).toBe(true);
    expect(Number.isInteger(issue.col) && issue.col >= 1).toBe(true);
    expect(typeof issue.message).toBe("string");
  }
}

function validates(text: string) {
  const result = validateSpec(text, FILE);
  expectPlaced(result.ok ? result.warnings : result.issues, text);
  expect(Object.prototype).toEqual({});
  return result;
}

// Pieces of YAML and of specs, hostile ones among them, for text that is often nearly valid.
const yamlPiece = fc.constantFrom(
  "evgen: 1\n",
  "service: shop\n",
  "broker: kafka\n",
  "broker: rabbitmq\n",
  "events:\n",
  "consumers:\n",
  "types:\n",
  "  order.created:\n",
  "    schema:\n",
  "      id: uuid\n",
  "      __proto__?: string\n",
  "      constructor: string\n",
  "    filter: { data.__proto__.x: 1 }\n",
  "  mailer:\n",
  "    on: [order.created]\n",
  "&a [*a]\n",
  "*a\n",
  "- \n",
  "? \n",
  ": \n",
  "{",
  "}",
  "[",
  "]",
  '"',
  "'",
  "#",
  "---\n",
  "\t",
  "\r\n",
  "\u0000",
  "\u2028",
  "\ufeff",
  '      p: { type: string, pattern: "^(a+)+$" }\n',
  "      d: { type: object, properties: { a: { type: object } } }\n",
  "!!binary aGk=\n",
  "!!js/function x\n",
  "<<: *a\n",
  "%YAML 1.1\n",
  "key: &b\n  - *b\n",
);
const yamlText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(fc.oneof(yamlPiece, fc.string({ maxLength: 8 })), { maxLength: 40 }).map((parts) => parts.join("")),
);

// Spec-shaped values: the right keys with values that are often wrong, names often hostile.
const hostileName = fc.constantFrom(
  "__proto__",
  "__proto__?",
  "constructor",
  "constructor?",
  "prototype",
  "toString?",
  "hasOwnProperty?",
  "valueOf",
  "id",
  "orderId",
  "class",
  "default",
  "EventDef",
  "Harness",
  "a.b",
  "order.created",
  "x-y",
  "",
  " ",
  "\u001b[2J",
);
const name = fc.oneof(hostileName, fc.string({ maxLength: 12 }));
const fieldType: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  type: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("string", "uuid", "integer", "string[]", "Money", "Nope", "toString", "__proto__"),
    fc.record(
      {
        type: fc.constantFrom("string", "object", "array", "integer", ["string", "null"]),
        pattern: fc.constantFrom("^[a-z]+$", "^\\p{L}+$", "(a+)+$", "[", "^\\d+\\d+$"),
        properties: fc.dictionary(name, tie("type"), { maxKeys: 3 }),
        items: tie("type"),
        enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        default: fc.jsonValue({ maxDepth: 2 }),
        required: fc.array(name, { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  ),
})).type;
const fields = fc.dictionary(name, fieldType, { maxKeys: 4 });
const specValue = fc.record(
  {
    evgen: fc.constantFrom(1, 2, "1"),
    service: fc.oneof(fc.constantFrom("shop", "kafka", "constructor"), name),
    broker: fc.constantFrom("kafka", "rabbitmq", "nats"),
    types: fc.dictionary(fc.oneof(fc.constantFrom("Money", "EventDef", "Z"), name), fields, { maxKeys: 2 }),
    events: fc.dictionary(
      fc.oneof(fc.constantFrom("order.created", "event.def", "a.constructor"), name),
      fc.record({ schema: fields, key: name, description: fc.string({ maxLength: 20 }) }, { requiredKeys: ["schema"] }),
      { maxKeys: 3 },
    ),
    consumers: fc.dictionary(
      fc.oneof(fc.constantFrom("mailer", "harness", "constructor"), name),
      fc.record(
        {
          on: fc.array(fc.constantFrom("order.created", "event.def", "nope.x"), { minLength: 1, maxLength: 2 }),
          filter: fc.dictionary(
            fc.constantFrom("data.id", "data.__proto__.x", "data.constructor", "type", "x"),
            fc.jsonValue({ maxDepth: 1 }),
            { maxKeys: 2 },
          ),
          retry: fc.record(
            { attempts: fc.integer({ min: -1, max: 200 }), delay: fc.constantFrom("1s", "0ms", "999999h", "x") },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ["on"] },
      ),
      { maxKeys: 2 },
    ),
  },
  { requiredKeys: ["evgen", "service", "broker", "events"] },
);
// yaml's stringify writes own `__proto__` keys as they are, so they reach the loader like typed ones.
const specText = specValue.map((value) => stringify(value));

describe("validation, whatever comes in", () => {
  it("answers random YAML text with issues at file:line:col, never an exception", () => {
    fc.assert(
      fc.property(yamlText, (text) => void validates(text)),
      { numRuns: 400 },
    );
  });

  it("answers spec-shaped values with issues at file:line:col, never an exception", () => {
    fc.assert(
      fc.property(specText, (text) => void validates(text)),
      { numRuns: 300 },
    );
  });
});

describe("generating what validation accepts", () => {
  const sandbox = join(REPO_ROOT, "test", ".tmp", uniqueName("properties"));
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

  it("renders only project paths, and the CLI writes nothing outside the project", async () => {
    // Mostly valid: hostile names in a spec that would otherwise pass, so they get past the parts of
    // validation that do not look at names, and on to rendering.
    const objectType = { type: "object", properties: { x: "string", y: "integer" } };
    const validType = fc.constantFrom<unknown>("string", "uuid", "string[]", objectType, objectType);
    const fieldName = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom("id", "meta?", "amount", "class", "default") },
      { weight: 1, arbitrary: fc.constantFrom("__proto__?", "constructor", "toString?") },
      { weight: 1, arbitrary: hostileName },
    );
    const nearlyValid = fc
      .record({
        fields: fc.dictionary(fieldName, validType, { minKeys: 1, maxKeys: 4 }),
        filter: fc.dictionary(
          fc.constantFrom("data.__proto__.x", "data.constructor.x", "data.meta.x", "type"),
          fc.constantFrom<unknown>("polluted", "order.created"),
          { maxKeys: 2 },
        ),
        consumer: fc.constantFrom("mailer", "new", "harness", "constructor"),
      })
      .map(({ fields, filter, consumer }) =>
        stringify({
          evgen: 1,
          service: "shop",
          broker: "kafka",
          events: { "order.created": { schema: fields } },
          consumers: { [consumer]: { on: ["order.created"], filter } },
        }),
      );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValid, async (text) => {
        const result = await generate({ specText: text, specFile: FILE });
        expectPlaced(result.issues, text);
        if (result.files.length === 0) return;
        accepted++;
        for (const file of result.files) expect(isProjectPath(file.path), file.path).toBe(true);
        const dir = join(sandbox, uniqueName("p"), "project");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, FILE), text);
        const run = await runCli(["generate"], dir);
        expect(run.stderr).not.toContain("unexpectedly");
        expect(readdirSync(join(dir, ".."))).toEqual(["project"]);
        expect(Object.prototype).toEqual({});
      }),
      { numRuns: 40 },
    );
    expect(accepted).toBeGreaterThan(0);
  }, 300_000);
});
