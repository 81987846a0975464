// `kafka.client` picks the Kafka runtime: a project gets its client's transport and dead-letter
// tool, the client-neutral wire format, and depends on that client's package alone.
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/core.js";
import { REPO_ROOT } from "../support/project.js";

const RUNTIME = "src/generated/runtime/";
const ordersSpec = readFileSync(join(REPO_ROOT, "examples", "orders", "evgen.yaml"), "utf8");
const withClient = (client: string) => ordersSpec.replace("kafka:\n", `kafka:\n  client: ${client}\n`);

const packages = { kafkajs: "kafkajs", platformatic: "@platformatic/kafka" } as const;

async function project(client: keyof typeof packages) {
  const { files, issues } = await generate({ specText: withClient(client), specFile: "evgen.yaml" });
  expect(issues.filter((issue) => issue.severity === "error")).toEqual([]);
  const file = (path: string) => files.find((f) => f.path === path)?.content ?? "";
  const runtime = files.filter((f) => f.path.startsWith(RUNTIME));
  return { file, runtime, pkg: JSON.parse(file("package.json")) as { dependencies: Record<string, string> } };
}

describe.each(["kafkajs", "platformatic"] as const)("kafka.client: %s", (client) => {
  const other = client === "kafkajs" ? "platformatic" : "kafkajs";

  it("depends on its client's package only, at the version evgen pins", async () => {
    const { pkg } = await project(client);
    const evgen = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies[packages[client]]).toBe(evgen.devDependencies[packages[client]]);
    expect(pkg.dependencies).not.toHaveProperty(packages[other]);
  });

  it("copies runtime modules that import its client and never the other", async () => {
    const { runtime } = await project(client);
    const importsOf = (content: string) => [...content.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    const imported = new Set(runtime.flatMap((f) => importsOf(f.content)));
    expect(imported.has(packages[client])).toBe(true);
    expect(imported.has(packages[other])).toBe(false);
    // Every relative import of a copied module is itself copied.
    const names = new Set(runtime.map((f) => f.path));
    for (const f of runtime) {
      for (const name of importsOf(f.content)) {
        if (name?.startsWith("."))
          expect(names).toContain(posix.join(posix.dirname(f.path), name.replace(/\.js$/, ".ts")));
      }
    }
  });

  it("builds the transport and the dead-letter tool from its client's modules", async () => {
    const { file } = await project(client);
    expect(file("src/generated/transport.ts")).toContain(`from "./runtime/kafka/${client}/transport.js"`);
    expect(file("src/generated/dlq.ts")).toContain(`from "./runtime/kafka/${client}/dlq.js"`);
  });
});

it("kafka.client defaults to kafkajs", async () => {
  const { files } = await generate({ specText: ordersSpec, specFile: "evgen.yaml" });
  const pkg = JSON.parse(files.find((f) => f.path === "package.json")!.content) as { dependencies: object };
  expect(pkg.dependencies).toHaveProperty("kafkajs");
  expect(pkg.dependencies).not.toHaveProperty("@platformatic/kafka");
});
