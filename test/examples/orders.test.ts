// examples/orders as a team would take it: its generated code is current, `npm ci && npm test`
// pass in a copy of it, and its end-to-end scenario (scripts/e2e.ts) runs against real Kafka and
// PostgreSQL, with a SIGKILL of the service halfway, and loses nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, hasKafka, hasPostgres, KAFKA_BROKERS } from "../support/brokers.js";
import { runCli } from "../support/project.js";
import { copyExample, exampleDir, figuresOf, npm } from "./support.js";

const brokers = (await hasKafka()) && (await hasPostgres());

describe("examples/orders", () => {
  it("has its generated code committed and current (evgen generate --check)", async () => {
    const check = await runCli(["generate", "--check"], exampleDir("orders"));
    // After a change to the templates: `npm run examples:generate`, and commit what it wrote.
    expect(check.code, `${check.stdout}${check.stderr}: run npm run examples:generate`).toBe(0);
  });

  it("has its event catalog current (evgen docs): the README's flow comes from it", async () => {
    const docs = await runCli(["docs", "--out", "-"], exampleDir("orders"));
    expect(docs.code, docs.stderr).toBe(0);
    expect(docs.stdout).toBe(readFileSync(join(exampleDir("orders"), "docs", "events.md"), "utf8"));
    const flow = /```mermaid\n[\s\S]*?```/.exec(docs.stdout)![0];
    expect(readFileSync(join(exampleDir("orders"), "README.md"), "utf8")).toContain(flow);
  });

  describe("a copy, installed with npm ci", () => {
    let copy: ReturnType<typeof copyExample>;
    beforeAll(async () => {
      copy = copyExample("orders");
      const install = await npm(["ci", "--no-audit", "--no-fund"], copy.dir);
      expect(install.code, install.stderr).toBe(0);
    }, 300_000);
    afterAll(() => copy?.remove());

    it("passes its own tests (npm test, on the in-memory broker)", async () => {
      const test = await npm(["test"], copy.dir);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toMatch(/Tests\s+\d+ passed/);
    }, 120_000);

    it.skipIf(!brokers)(
      "runs its scenario on Kafka and PostgreSQL: every order settles, through a SIGKILL and a replay",
      async () => {
        const build = await npm(["run", "build"], copy.dir);
        expect(build.code, build.stdout + build.stderr).toBe(0);
        const scenario = await npm(["run", "-s", "e2e"], copy.dir, {
          KAFKA_BROKERS: KAFKA_BROKERS.join(","),
          DATABASE_URL,
          E2E_ORDERS: "80",
        });
        expect(scenario.code, scenario.stdout + scenario.stderr).toBe(0);
        const figures = figuresOf(scenario.stdout);
        console.log(`examples/orders scenario: ${JSON.stringify(figures)}`);
        // 80 orders, a kind each in turn: 50 ship by card, 10 by PayPal after the replay,
        // 10 are out of stock, 10 over the credit limit.
        expect(figures).toMatchObject({
          ordersPosted: 80,
          shipped: 60,
          cancelled: 20,
          deadLettered: 10,
          replayed: 10,
          sigkills: 1,
        });
        // Every order's events reached the projection: at least order.created, stock and payment.
        expect(figures.eventsHandledByOrderStatus).toBeGreaterThanOrEqual(80 * 3);
      },
      240_000,
    );
  });
});
