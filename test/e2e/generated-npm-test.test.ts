// Day one: right after `evgen init` (every example, both brokers) the generated project
// type-checks and its own scaffolded tests pass, with no broker. The project's tools are the
// repo's: its tsc, and its vitest with the project as root.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT, runCli } from "../support/project.js";

const resolve = createRequire(import.meta.url).resolve;
const TSC = resolve("typescript/bin/tsc");
const VITEST = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");

interface Run {
  code: number;
  output: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** The parts of vitest's JSON report this test reads. */
interface VitestReport {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ name: string; status: string }>;
}

const root = join(REPO_ROOT, "test", ".tmp", uniqueName("init"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cases = (["kafka", "rabbitmq"] as const).flatMap((broker) =>
  [undefined, "orders", "notifications", "user-analytics"].map((example) => ({
    broker,
    example,
    label: example ?? "none",
  })),
);

describe("a project right after evgen init", () => {
  it.each(cases)("$broker, example $label: tsc --noEmit is clean and npm test passes", async ({ broker, example }) => {
    const name = `${broker}-${example ?? "blank"}`;
    const dir = join(root, name);
    const init = await runCli(["init", name, "--broker", broker, ...(example ? ["--example", example] : [])], root);
    expect(init.code, init.stderr).toBe(0);

    const tsc = await run([TSC, "--noEmit", "-p", "tsconfig.json"], dir);
    expect(tsc.output).toBe("");
    expect(tsc.code).toBe(0);

    const reportFile = join(dir, "vitest-report.json");
    const vitest = await run([VITEST, "run", "--reporter=json", `--outputFile=${reportFile}`], dir);
    expect(vitest.code, vitest.output).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as VitestReport;
    expect(report.success).toBe(true);
    expect(report.numFailedTests).toBe(0);
    // Every scaffolded handler test ran, and at least one real test (not only todos) passed.
    const scaffolded = readdirSync(join(dir, "test")).filter((file) => file.endsWith(".test.ts"));
    expect(scaffolded.length).toBeGreaterThan(0);
    expect(report.testResults.map((file) => file.name.slice(dir.length + 1)).sort()).toEqual(
      scaffolded.map((file) => `test/${file}`).sort(),
    );
    expect(report.testResults.every((file) => file.status === "passed")).toBe(true);
    expect(report.numPassedTests).toBeGreaterThan(0);
  });
});

describe("a spec whose required fields have patterns", () => {
  it("gets a scaffolded test with an example payload matching them, not a todo, and it passes", async () => {
    const dir = join(root, "patterns");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "evgen.yaml"),
      `evgen: 1
service: billing
broker: kafka
events:
  invoice.issued:
    key: invoiceId
    schema:
      invoiceId: { type: string, pattern: "^INV-[0-9]{6}$" }
      country: { type: string, pattern: "^(DE|FR|NL)$" }
      reference: { type: string, pattern: "^[a-z]+-[0-9a-f]{4}$", minLength: 8, maxLength: 12 }
consumers:
  ledger:
    on: [invoice.issued]
`,
    );
    const generate = await runCli(["generate"], dir);
    expect(generate.code, generate.stderr).toBe(0);
    const test = readFileSync(join(dir, "test/ledger.test.ts"), "utf8");
    expect(test).not.toContain("it.todo");
    expect(test).toContain('invoiceId: "INV-000000"');

    const reportFile = join(dir, "vitest-report.json");
    const vitest = await run([VITEST, "run", "--reporter=json", `--outputFile=${reportFile}`], dir);
    expect(vitest.code, vitest.output).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as VitestReport;
    expect(report).toMatchObject({ success: true, numPassedTests: 1, numTotalTests: 1 });
  });
});
