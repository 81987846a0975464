// Day two: `evgen init`, then the example spec replaced by one's own and changed again. The
// project follows the spec everywhere evgen still owns a file, keeps every file the user edited
// (saying so), and type-checks after each step.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import { buildIfStale, evgen, type Run } from "../support/cli.js";
import { REPO_ROOT } from "../support/project.js";

const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const workspace = join(REPO_ROOT, "test", ".tmp", uniqueName("evolve"));

beforeAll(() => {
  buildIfStale();
  mkdirSync(workspace, { recursive: true });
}, 120_000);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** `tsc --noEmit` in the project: its output, empty when clean. */
function typecheck(dir: string): Promise<string> {
  return new Promise((done) => {
    execFile(process.execPath, [TSC, "--noEmit", "-p", "tsconfig.json"], { cwd: dir }, (error, stdout, stderr) =>
      done(error ? `${stdout}${stderr}` || String(error) : ""),
    );
  });
}

/** A project made by `evgen init`, from an example or (`example` "") the blank starting spec. */
async function init(broker: "kafka" | "rabbitmq", example = "orders"): Promise<string> {
  const dir = join(workspace, uniqueName(broker));
  const from = example === "" ? [] : ["--example", example];
  const run = await evgen(["init", dir, "--broker", broker, ...from, "--name", "shop"], REPO_ROOT);
  expect(run.code, run.stderr).toBe(0);
  return dir;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const write = (dir: string, path: string, text: string) => writeFileSync(join(dir, path), text);

async function generate(dir: string): Promise<Run> {
  const run = await evgen(["generate"], dir);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** A team's own spec, replacing the orders example: none of its consumers is left. */
function ownSpec(broker: "kafka" | "rabbitmq", consumers: string, extra = ""): string {
  return `evgen: 1
service: shop
broker: ${broker}
${extra}events:
  invoice.issued:
    key: invoiceId
    schema: { invoiceId: uuid, amount: number }
consumers:
${consumers}`;
}

const MAILER = "  mailer:\n    on: [invoice.issued]\n";

describe("a consumer that leaves the spec", () => {
  it("takes its unedited handler and test with it, and the project type-checks", async () => {
    const dir = await init("kafka");
    write(dir, "evgen.yaml", ownSpec("kafka", MAILER));
    const run = await generate(dir);
    for (const consumer of ["inventory", "payment", "shipping", "order-status"]) {
      expect(run.stdout).toContain(`delete src/handlers/${consumer}.ts`);
      expect(run.stdout).toContain(`delete test/${consumer}.test.ts`);
      expect(existsSync(join(dir, "src/handlers", `${consumer}.ts`))).toBe(false);
    }
    expect(run.stderr).not.toContain("warning");
    expect(await typecheck(dir)).toBe("");
    expect((await evgen(["generate", "--check"], dir)).code).toBe(0);
  });

  it("leaves an edited handler where it is, names it in a warning, and exits 0", async () => {
    const dir = await init("rabbitmq");
    const handler = "src/handlers/inventory.ts";
    write(dir, handler, read(dir, handler).replace("received", "received by my code"));
    write(dir, "evgen.yaml", ownSpec("rabbitmq", MAILER));

    const run = await generate(dir);
    expect(read(dir, handler)).toContain("received by my code");
    expect(run.stdout).toContain("delete test/inventory.test.ts");
    expect(run.stderr).toMatch(/^warning src\/handlers\/inventory\.ts: the spec no longer has it.*then delete it/m);
    // The warning comes back on every run until the file is dealt with.
    write(dir, "evgen.yaml", ownSpec("rabbitmq", MAILER, "description: Invoices.\n"));
    expect((await generate(dir)).stderr).toContain("warning src/handlers/inventory.ts");

    // Following its advice leaves a project that type-checks.
    expect(await typecheck(dir)).toContain("inventory");
    rmSync(join(dir, handler));
    expect(await typecheck(dir)).toBe("");
    const after = await generate(dir);
    expect(after.stderr).not.toContain("warning");
  });
});

describe("the scaffolds written once", () => {
  it("follow the spec while unedited: a new consumer, its store, and compose services", async () => {
    const dir = await init("kafka", "");
    expect(read(dir, ".env.example")).not.toContain("REDIS_URL");
    write(
      dir,
      "evgen.yaml",
      ownSpec(
        "kafka",
        `${MAILER}  ledger:\n    on: [invoice.issued]\n    idempotency: redis\n  audit:\n    on: [invoice.issued]\n    idempotency: postgres\n`,
      ),
    );
    const run = await generate(dir);
    expect(run.stderr).not.toContain("warning");
    for (const file of ["README.md", ".env.example", "docker-compose.yml"])
      expect(run.stdout).toContain(`update ${file}`);
    expect(read(dir, "README.md")).toMatch(/^\| `ledger` \| `invoice\.issued` \|/m);
    expect(read(dir, ".env.example")).toMatch(/^REDIS_URL=/m);
    expect(read(dir, ".env.example")).toMatch(/^DATABASE_URL=/m);
    const compose = read(dir, "docker-compose.yml");
    expect(compose).toMatch(/^ {2}redis:$/m);
    expect(compose).toMatch(/^ {2}postgres:$/m);
    expect(compose).toContain("REDIS_URL: redis://redis:6379");
    expect(await typecheck(dir)).toBe("");
  });

  it("are kept once edited, and generate says they were made from an older spec", async () => {
    const dir = await init("kafka", "notifications");
    write(dir, "README.md", `${read(dir, "README.md")}\n## Our runbook\n`);
    const compose = read(dir, "docker-compose.yml");
    // The example keeps its events in Redis; PostgreSQL is new, so the compose file follows.
    write(dir, "evgen.yaml", ownSpec("kafka", `${MAILER}    idempotency: postgres\n`));

    const run = await generate(dir);
    expect(read(dir, "README.md")).toContain("## Our runbook");
    expect(read(dir, "README.md")).not.toContain("`mailer`");
    expect(run.stdout).not.toContain("update README.md");
    expect(run.stderr).toMatch(/^warning README\.md: edited since evgen wrote it.*made from an older spec/m);
    expect(run.stderr).not.toContain("docker-compose.yml:");
    expect(read(dir, "docker-compose.yml")).not.toBe(compose);
  });
});

describe(".env.example", () => {
  it("sets nothing that overrides the spec's broker address, and shows the spec's own", async () => {
    const url = "amqp://guest:guest@127.0.0.1:5672/shop-vhost";
    const dir = await init("rabbitmq", "notifications");
    write(dir, "evgen.yaml", ownSpec("rabbitmq", MAILER, `rabbitmq: { url: "${url}" }\n`));
    await generate(dir);
    const env = read(dir, ".env.example");
    const settings = env.split("\n").filter((line) => /^[A-Z_]+=/.test(line));
    expect(settings.map((line) => line.split("=")[0])).not.toContain("AMQP_URL");
    expect(env).toContain(`# AMQP_URL=${url}`);

    const compose = read(dir, "docker-compose.yml");
    expect(compose).toContain('AMQP_URL: "amqp://guest:guest@rabbitmq:5672/shop-vhost"');
    expect(compose).toContain('RABBITMQ_DEFAULT_VHOST: "shop-vhost"');
  });

  it("on Kafka, leaves KAFKA_BROKERS to the spec too", async () => {
    const dir = await init("kafka", "notifications");
    expect(read(dir, ".env.example")).not.toMatch(/^KAFKA_BROKERS=/m);
    expect(read(dir, ".env.example")).toMatch(/^# KAFKA_BROKERS=127\.0\.0\.1:9092$/m);
  });
});
