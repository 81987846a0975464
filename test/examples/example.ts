// One example's tests, as a team would take it: its generated code is current, its event catalog
// (and the README's flow) current, `npm ci && npm test` pass in a copy of it, and its end-to-end
// scenario (scripts/e2e.ts) runs against the real brokers and prints its figures.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/project.js";
import { copyExample, exampleDir, figuresOf, npm } from "./support.js";

export interface ExampleCase {
  name: string;
  /** The brokers and stores the scenario needs are reachable. */
  available: boolean;
  /** Where the scenario finds them. */
  env: Record<string, string>;
  /** What the figures must show. */
  expectFigures(figures: Record<string, number | string>): void;
}

export function describeExample({ name, available, env, expectFigures }: ExampleCase): void {
  describe(`examples/${name}`, () => {
    it("has its generated code committed and current (evgen generate --check)", async () => {
      const check = await runCli(["generate", "--check"], exampleDir(name));
      // After a change to the templates: `npm run examples:generate`, and commit what it wrote.
      expect(check.code, `${check.stdout}${check.stderr}: run npm run examples:generate`).toBe(0);
    });

    it("has its event catalog current (evgen docs): the README's flow comes from it", async () => {
      const docs = await runCli(["docs", "--out", "-"], exampleDir(name));
      expect(docs.code, docs.stderr).toBe(0);
      expect(docs.stdout).toBe(readFileSync(join(exampleDir(name), "docs", "events.md"), "utf8"));
      const flow = /```mermaid\n[\s\S]*?```/.exec(docs.stdout)![0];
      expect(readFileSync(join(exampleDir(name), "README.md"), "utf8")).toContain(flow);
    });

    describe("a copy, installed with npm ci", () => {
      let copy: ReturnType<typeof copyExample>;
      beforeAll(async () => {
        copy = copyExample(name);
        const install = await npm(["ci", "--no-audit", "--no-fund"], copy.dir);
        expect(install.code, install.stderr).toBe(0);
      }, 300_000);
      afterAll(() => copy?.remove());

      it("passes its own tests (npm test, on the in-memory broker)", async () => {
        const test = await npm(["test"], copy.dir);
        expect(test.code, test.stdout + test.stderr).toBe(0);
        expect(test.stdout).toMatch(/Tests\s+\d+ passed/);
      }, 120_000);

      it.skipIf(!available)(
        "runs its end-to-end scenario on the real brokers, through a SIGKILL of the service",
        async () => {
          const build = await npm(["run", "build"], copy.dir);
          expect(build.code, build.stdout + build.stderr).toBe(0);
          const scenario = await npm(["run", "-s", "e2e"], copy.dir, env, 200_000);
          expect(scenario.code, scenario.stdout + scenario.stderr).toBe(0);
          const figures = figuresOf(scenario.stdout);
          console.log(`examples/${name} scenario: ${JSON.stringify(figures)}`);
          expectFigures(figures);
        },
        240_000,
      );
    });
  });
}
