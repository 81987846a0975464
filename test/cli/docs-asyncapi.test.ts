// evgen docs, export asyncapi and import asyncapi end to end: the built bin in fresh directories.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import { buildIfStale, evgen, MODELINE } from "../support/cli.js";
import { REPO_ROOT } from "../support/project.js";

const workspace = join(REPO_ROOT, "test", ".tmp", uniqueName("cli-docs"));

/** A directory holding a copy of an example spec as evgen.yaml. */
function withExample(name: string): string {
  const dir = join(workspace, uniqueName(name));
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO_ROOT, "examples", name, "evgen.yaml"), join(dir, "evgen.yaml"));
  return dir;
}

beforeAll(() => {
  buildIfStale();
  mkdirSync(workspace, { recursive: true });
}, 120_000);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("evgen docs", () => {
  it("writes docs/events.md next to the spec, found from a subfolder", async () => {
    const dir = withExample("orders");
    mkdirSync(join(dir, "src"));
    const run = await evgen(["docs"], join(dir, "src"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    const page = readFileSync(join(dir, "docs", "events.md"), "utf8");
    expect(page).toContain("```mermaid");
    expect(page).toContain("### `order.created`");
    expect(run.stderr).toContain("events.md");
  });

  it("prints to stdout with --out -, and writes into a folder or a .md file", async () => {
    const dir = withExample("notifications");
    const printed = await evgen(["docs", "--out", "-"], dir);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain("# Events of `notifications`");
    expect((await evgen(["docs", "--out", "site"], dir)).code).toBe(0);
    expect(readFileSync(join(dir, "site", "events.md"), "utf8")).toBe(printed.stdout);
    expect((await evgen(["docs", "--out", "catalog.md"], dir)).code).toBe(0);
    expect(readFileSync(join(dir, "catalog.md"), "utf8")).toBe(printed.stdout);
  });

  it("exits 1 with the issues and writes nothing for an invalid spec; 2 for a missing --spec", async () => {
    const dir = join(workspace, uniqueName("bad"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "evgen.yaml"), "evgen: 1\nservice: Shop\nbroker: kafka\nevents: {}\n");
    const run = await evgen(["docs"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/evgen\.yaml:\d+:\d+/);
    expect(existsSync(join(dir, "docs"))).toBe(false);
    expect((await evgen(["docs", "--spec", "nope.yaml"], dir)).code).toBe(2);
  });
});

describe("evgen export asyncapi", () => {
  it("prints YAML by default and writes JSON for a .json file", async () => {
    const dir = withExample("orders");
    const yaml = await evgen(["export", "asyncapi"], dir);
    expect(yaml.code, yaml.stderr).toBe(0);
    const document = parse(yaml.stdout);
    expect(document).toMatchObject({ asyncapi: "3.1.0", info: { title: "shop" } });
    const json = await evgen(["export", "asyncapi", "--out", "out/asyncapi.json"], dir);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "out", "asyncapi.json"), "utf8"))).toEqual(document);
  });

  it("rejects a wrong format and an unknown subcommand with exit 2", async () => {
    const dir = withExample("orders");
    expect((await evgen(["export", "asyncapi", "--format", "xml"], dir)).code).toBe(2);
    expect((await evgen(["export", "openapi"], dir)).code).toBe(2);
  });
});

describe("evgen import asyncapi", () => {
  it.each(["orders", "notifications", "user-analytics"])(
    "%s: export, import into a new folder, and the spec generates",
    async (name) => {
      const dir = withExample(name);
      expect((await evgen(["export", "asyncapi", "--out", "asyncapi.yaml"], dir)).code).toBe(0);
      const target = join(dir, "imported");
      mkdirSync(target);
      const run = await evgen(["import", "asyncapi", "../asyncapi.yaml"], target);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toContain("warning");
      const spec = readFileSync(join(target, "evgen.yaml"), "utf8");
      expect(spec.startsWith(`${MODELINE}\n`)).toBe(true);
      const validate = await evgen(["validate"], target);
      expect(validate.code, validate.stderr).toBe(0);
      // Nothing breaking against the original spec.
      const compat = await evgen(["compat", "--against", "../evgen.yaml"], target);
      expect(compat.code, compat.stdout + compat.stderr).toBe(0);
    },
  );

  it("refuses to overwrite an existing evgen.yaml", async () => {
    const dir = withExample("orders");
    expect((await evgen(["export", "asyncapi", "--out", "asyncapi.json"], dir)).code).toBe(0);
    const before = readFileSync(join(dir, "evgen.yaml"), "utf8");
    const run = await evgen(["import", "asyncapi", "asyncapi.json"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("exists");
    expect(readFileSync(join(dir, "evgen.yaml"), "utf8")).toBe(before);
  });

  it("lists what it cannot map as warnings with paths, and writes nothing when the result is invalid", async () => {
    const dir = join(workspace, uniqueName("foreign"));
    mkdirSync(dir, { recursive: true });
    const document = {
      asyncapi: "3.0.0",
      info: { title: "users", version: "1", license: { name: "MIT" } },
      channels: {
        users: {
          address: "users",
          messages: {
            Created: { name: "user.created", payload: { type: "object", properties: { id: { type: "string" } } } },
          },
        },
      },
    };
    writeFileSync(join(dir, "api.json"), JSON.stringify(document));
    const run = await evgen(["import", "asyncapi", "api.json", "--broker", "rabbitmq"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("api.json#/info/license  warning:");
    expect(readFileSync(join(dir, "evgen.yaml"), "utf8")).toContain("broker: rabbitmq");

    const invalid = {
      ...document,
      operations: {
        c: {
          action: "receive",
          channel: { $ref: "#/channels/users" },
          "x-evgen-consumer": { name: "c", concurrency: 0 },
        },
      },
    };
    writeFileSync(join(dir, "bad.json"), JSON.stringify(invalid));
    const bad = await evgen(["import", "asyncapi", "bad.json", "--out", "bad.yaml"], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("concurrency");
    expect(existsSync(join(dir, "bad.yaml"))).toBe(false);

    writeFileSync(join(dir, "v2.yaml"), "asyncapi: 2.6.0\ninfo: { title: x, version: '1' }\n");
    const old = await evgen(["import", "asyncapi", "v2.yaml", "--out", "v2-spec.yaml"], dir);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain("only 3.x");
    expect((await evgen(["import", "asyncapi", "missing.yaml", "--out", "x.yaml"], dir)).code).toBe(2);
  });
});
