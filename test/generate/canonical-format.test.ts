// Generated code that generate leaves unformatted must be exactly what prettier would print
// (src/render/layout.ts). Checked on every example and fixture spec, a synthetic spec, and a few
// hundred random schemas: where the printers claim prettier's layout, prettier must agree; and the
// common shapes must take that path, or generation is slow again without anyone noticing.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/core.js";
import { formatText } from "../../src/format/format.js";
import { buildIR } from "../../src/ir/build.js";
import type { IRField, IRType } from "../../src/ir/types.js";
import { planProject } from "../../src/plan/plan.js";
import { listRuntimeFiles } from "../../src/render/assets.js";
import { fitsWidth, type Layout } from "../../src/render/layout.js";
import { isPrettierShaped, renderContext, renderFile } from "../../src/render/render.js";
import { tsObjectType } from "../../src/render/ts-type.js";
import { zodObject } from "../../src/render/zod-schema.js";
import { validateSpec } from "../../src/validate/index.js";
import { REPO_ROOT } from "../support/project.js";

function specFiles(): Array<[string, string]> {
  const examples = readdirSync(join(REPO_ROOT, "examples")).map((name) => join("examples", name, "evgen.yaml"));
  const fixtures = readdirSync(join(REPO_ROOT, "test", "fixtures", "specs")).map((name) =>
    join("test", "fixtures", "specs", name),
  );
  return [...examples, ...fixtures]
    .map((path): [string, string] => [path, readFileSync(join(REPO_ROOT, path), "utf8")])
    .filter(([, text]) => validateSpec(text, "evgen.yaml").ok);
}

/** A spec of many events whose fields take the shapes real specs use most. */
function syntheticSpec(events: number): string {
  const lines = [
    "evgen: 1",
    "service: synth",
    "broker: kafka",
    "types:",
    "  Line: { sku: string, qty: integer }",
    "events:",
  ];
  for (let i = 0; i < events; i++) {
    lines.push(
      `  entity${i}.created:`,
      `    description: Entity ${i} was created.`,
      "    key: id",
      "    versions:",
      '      1: { id: uuid, ownerId: string, total: { type: number, minimum: 0 }, note?: string, tags: "string[]", lines: "Line[]" }',
      "      2:",
      "        id: uuid",
      "        ownerId: { type: string, minLength: 1, maxLength: 64, description: The owner. }",
      "        lines: Line[]",
      "        address:",
      "          type: object",
      "          properties: { street: string, zip: { type: string, pattern: '^[0-9]{5}$' } }",
      "        position?: { type: object, properties: { x: integer, y: integer } }",
      "        currency?: { type: string, enum: [EUR, USD], default: EUR }",
    );
  }
  lines.push("consumers:");
  for (let c = 0; c * 4 < events; c++) {
    const on = Array.from({ length: Math.min(4, events - c * 4) }, (_, k) => `entity${c * 4 + k}.created`);
    lines.push(
      `  ${c % 2 === 0 ? "worker" : "audit-worker"}${c}:`,
      `    on: [${on.join(", ")}]`,
      `    emits: [entity${(c * 4 + 5) % events}.created]`,
      `    retry: { attempts: ${2 + (c % 9)}, delay: 1s }`,
      ...(c % 3 === 0 ? ["    idempotency: redis"] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}

async function renderedFiles(specText: string) {
  const validated = validateSpec(specText, "evgen.yaml");
  if (!validated.ok) throw new Error(validated.issues.map((issue) => `${issue.line}: ${issue.message}`).join("\n"));
  const context = renderContext(buildIR(validated.spec), "// header");
  return planProject(context.ir, listRuntimeFiles()).map((file) => {
    const text = renderFile(file, context);
    return { path: file.path, text, shaped: isPrettierShaped(file, context, text) };
  });
}

describe("code printed in prettier's layout", () => {
  const specs: Array<[string, string]> = [...specFiles(), ["synthetic", syntheticSpec(20)]];

  it.each(specs)("%s: every file left unformatted is what prettier prints", async (_, specText) => {
    const files = await renderedFiles(specText);
    expect(files.some((file) => file.path === "src/generated/events.ts" && file.shaped)).toBe(true);
    for (const file of files.filter((candidate) => candidate.shaped)) {
      expect(await formatText(file.path, file.text), file.path).toBe(file.text);
    }
  });

  // The fixtures try every odd corner of the spec; the examples and the synthetic spec are the
  // shapes users write, and for those generate must not need prettier at all.
  const typical = specs.filter(([name]) => !name.includes("fixtures"));
  it.each(typical)("%s: needs prettier for no file", async (_, specText) => {
    const files = await renderedFiles(specText);
    const formatted = files.filter(
      (file) => /\.(ts|json|md|ya?ml)$/.test(file.path) && !file.path.endsWith("package.json"),
    );
    const runtime = (path: string) => path.startsWith("src/generated/runtime/");
    expect(formatted.filter((file) => !file.shaped && !runtime(file.path)).map((file) => file.path)).toEqual([]);
  });

  it("generate leaves the shaped files as rendered and formats the rest", async () => {
    const { files } = await generate({ specText: syntheticSpec(3), specFile: "evgen.yaml" });
    const events = files.find((file) => file.path === "src/generated/events.ts");
    expect(events?.content).toBe(await formatText("src/generated/events.ts", events!.content));
  });
});

/** A small seeded generator, so a failure names a seed that reproduces it. */
function random(seed: number) {
  let state = Math.imul(seed, 2654435761) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

// Mostly plain values, with a few that prettier prints differently (quotes, exponents).
const strings = ["a", "EUR", "USD", "x".repeat(40), "ünï", "back\\slash", "it's", 'say "hi"'];
const numbers = [0, 1, -5, 2.5, 123456789, 0.25, 1e21, 1e-7];
const rare = <T>(rng: ReturnType<typeof random>, items: readonly T[]): T =>
  rng.next() < 0.9 ? items[Math.floor(rng.next() * (items.length - 2))]! : rng.pick(items);

function randomType(rng: ReturnType<typeof random>, depth: number): IRType {
  const base = { nullable: rng.next() < 0.15, ...(rng.next() < 0.1 ? { doc: "A field." } : {}) };
  const kinds =
    depth > 2
      ? ["string", "number", "boolean", "enum", "ref"]
      : ["string", "number", "boolean", "enum", "ref", "array", "object", "union", "const"];
  const kind = rng.pick(kinds);
  switch (kind) {
    case "string":
      return {
        ...base,
        kind: "string",
        ...(rng.next() < 0.3 ? { format: rng.pick(["uuid", "email", "url", "datetime", "date"] as const) } : {}),
        ...(rng.next() < 0.3 ? { minLength: 1, maxLength: rare(rng, [64, 200, 1, 1e21]) } : {}),
        ...(rng.next() < 0.2 ? { pattern: rare(rng, ["^[a-z]+$", "^\\d{3}$", "^'q'$"]) } : {}),
        ...(rng.next() < 0.2 ? { default: rare(rng, strings) } : {}),
      };
    case "number":
      return {
        ...base,
        kind: "number",
        integer: rng.next() < 0.5,
        ...(rng.next() < 0.4 ? { minimum: rare(rng, numbers) } : {}),
        ...(rng.next() < 0.2 ? { default: rare(rng, numbers) } : {}),
      };
    case "boolean":
      return { ...base, kind: "boolean", ...(rng.next() < 0.2 ? { default: false } : {}) };
    case "enum":
      return {
        ...base,
        kind: "enum",
        values: Array.from({ length: 1 + Math.floor(rng.next() * 8) }, () =>
          rng.next() < 0.8 ? rare(rng, strings) : rng.pick([1, true, null]),
        ),
      };
    case "ref":
      return { ...base, kind: "ref", name: "Line", typeName: "Line", schemaName: "lineSchema" };
    case "array":
      return {
        ...base,
        kind: "array",
        items: randomType(rng, depth + 1),
        ...(rng.next() < 0.3 ? { minItems: 1 } : {}),
      };
    case "object":
      return { ...base, kind: "object", fields: randomFields(rng, depth + 1) };
    case "union":
      return { ...base, kind: "union", options: [randomType(rng, depth + 1), randomType(rng, depth + 1)] };
    default:
      return {
        ...base,
        kind: "const",
        value: rng.pick<IRType extends never ? never : never | string | number | object>([
          1,
          "x",
          [1, 2],
          { a: 1 },
        ]) as never,
      };
  }
}

function randomFields(rng: ReturnType<typeof random>, depth: number): IRField[] {
  const count = (depth === 0 ? 1 : 0) + Math.floor(rng.next() * (depth === 0 ? 8 : 4));
  return Array.from({ length: count }, (_, index) => ({
    name: `field${index}${"x".repeat(rng.next() < 0.9 ? 0 : 40)}`,
    optional: rng.next() < 0.3,
    type: randomType(rng, depth),
  }));
}

describe("random schemas", () => {
  it("are printed as prettier prints them wherever the printers claim its layout", async () => {
    let claimed = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const fields = randomFields(random(seed), 0);
      const layout: Layout = { canonical: true };
      const text = [
        `export interface Thing ${tsObjectType(fields, 0, layout)}`,
        "",
        `export const thingSchema = ${zodObject(fields, 0, layout)} satisfies z.ZodType<Thing>;`,
        "",
      ].join("\n");
      if (!layout.canonical || !fitsWidth(text)) continue;
      claimed++;
      expect(await formatText("thing.ts", text), `seed ${seed}`).toBe(text);
    }
    // These schemas are far odder than real ones (nullable unions, tuples, quotes), and still
    // a good share of them takes the fast path, so the comparison above is not vacuous.
    expect(claimed).toBeGreaterThan(100);
  });
});
