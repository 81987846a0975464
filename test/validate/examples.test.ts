// The example specs `evgen init --example` starts from must be valid, warning-free and editor-ready.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXAMPLES, initialSpec } from "../../src/cli/initial-spec.js";
import { validateSpec } from "../../src/validate/index.js";
import { brief } from "./helpers.js";

const MODELINE = "# yaml-language-server: $schema=./node_modules/evgen/schema/evgen.schema.json\n";
const examples = readdirSync("examples").map((name) => ({
  name,
  text: readFileSync(`examples/${name}/evgen.yaml`, "utf8"),
}));
const BROKERS = ["kafka", "rabbitmq"] as const;

describe("example specs", () => {
  it("includes orders, notifications and user-analytics", () => {
    expect(examples.map((e) => e.name).sort()).toEqual(["notifications", "orders", "user-analytics"]);
  });

  it.each(examples)("$name is valid without warnings and starts with the schema modeline", ({ name, text }) => {
    expect(text.startsWith(MODELINE)).toBe(true);
    const result = validateSpec(text, `examples/${name}/evgen.yaml`);
    expect(result.ok ? brief(result.warnings) : brief(result.issues)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  // `evgen init --example X --broker Y` adapts an example to the service name and broker chosen.
  // On RabbitMQ the one warning left says where an event emitted for other services waits.
  const EMITTED_FOR_OTHERS: Record<string, string[]> = {
    orders: [],
    "user-analytics": [],
    notifications: [],
  };
  const combinations = examples.flatMap(({ name }) => BROKERS.map((broker) => ({ name, broker })));
  it.each(combinations)("init --example $name --broker $broker gives a valid spec", async ({ name, broker }) => {
    const text = await initialSpec("my-service", broker, name as (typeof EXAMPLES)[number]);
    const result = validateSpec(text, "evgen.yaml");
    const expected = broker === "rabbitmq" ? EMITTED_FOR_OTHERS[name]! : [];
    expect(result.ok ? result.warnings.map((w) => w.message) : brief(result.issues)).toEqual(
      expected.map((type) => `'${type}' is emitted but consumed by no consumer of this spec`),
    );
    expect(result.ok && result.spec.broker).toBe(broker);
  });
});

describe("evgen init --example with an example's earlier name", () => {
  it("starts user-analytics from --example analytics", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { runCli } = await import("../support/project.js");
    const root = mkdtempSync(join(tmpdir(), "evgen-alias-"));
    try {
      const old = await runCli(["init", "a", "--broker", "kafka", "--example", "analytics"], root);
      const current = await runCli(
        ["init", "b", "--broker", "kafka", "--example", "user-analytics", "--name", "a"],
        root,
      );
      expect(old.code, old.stderr).toBe(0);
      expect(current.code, current.stderr).toBe(0);
      expect(readFileSync(join(root, "a", "evgen.yaml"), "utf8")).toBe(
        readFileSync(join(root, "b", "evgen.yaml"), "utf8"),
      );
      expect(readFileSync(join(root, "a", "evgen.yaml"), "utf8")).toContain("window: { size: 1m, by: data.userId");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
