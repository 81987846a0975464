// The CLI against input made to hurt it: planted links, names that collide with what JavaScript or
// the generated code already uses, hostile patterns and text. Each gets a clear refusal, exit code
// and message, and nothing is written outside the project. Runs in-process (no build needed).
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import { BIN, buildIfStale } from "../support/cli.js";
import { REPO_ROOT, runCli } from "../support/project.js";

const workspace = join(REPO_ROOT, "test", ".tmp", uniqueName("hostile"));
beforeAll(() => mkdirSync(workspace, { recursive: true }));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const SPEC = `evgen: 1
service: shop
broker: kafka
events:
  order.created:
    schema:
      orderId: uuid
`;

/** A fresh directory holding `spec` as evgen.yaml. */
function project(spec = SPEC): string {
  const dir = join(workspace, uniqueName("p"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "evgen.yaml"), spec);
  return dir;
}

/** A path outside every project, removed after the test. */
function outsidePath(): string {
  return join(tmpdir(), uniqueName("evgen-victim"));
}

describe("links planted in the project", () => {
  it("evgen docs refuses to write its page through a link, at the page or on the way to it", async () => {
    const victim = outsidePath();
    try {
      const dir = project();
      mkdirSync(join(dir, "docs"));
      symlinkSync(victim, join(dir, "docs", "events.md"));
      const run = await runCli(["docs"], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('"docs/events.md" is a symbolic link; evgen does not write through links');
      expect(existsSync(victim)).toBe(false);

      rmSync(join(dir, "docs"), { recursive: true });
      mkdirSync(victim);
      symlinkSync(victim, join(dir, "docs"));
      expect((await runCli(["docs"], dir)).stderr).toContain('"docs" is a symbolic link');
      expect(existsSync(join(victim, "events.md"))).toBe(false);

      rmSync(join(dir, "docs"));
      symlinkSync(join(victim, "page.md"), join(dir, "page.md"));
      const out = await runCli(["docs", "--out", "page.md"], dir);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain("page.md");
      expect(existsSync(join(victim, "page.md"))).toBe(false);
    } finally {
      rmSync(victim, { recursive: true, force: true });
    }
  });

  it("evgen init refuses a dangling evgen.yaml link instead of creating the file it names", async () => {
    const victim = outsidePath();
    const dir = join(workspace, uniqueName("init"));
    mkdirSync(dir);
    symlinkSync(victim, join(dir, "evgen.yaml"));
    const run = await runCli(["init", dir, "--broker", "kafka"], workspace);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("evgen.yaml is a symbolic link; evgen does not write through links");
    expect(existsSync(victim)).toBe(false);
    expect(lstatSync(join(dir, "evgen.yaml")).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, "src"))).toBe(false);
  });

  it("evgen init refuses a folder link in the new project before writing evgen.yaml", async () => {
    const dir = join(workspace, uniqueName("init"));
    mkdirSync(join(dir, "elsewhere"), { recursive: true });
    symlinkSync("elsewhere", join(dir, "src"));
    const run = await runCli(["init", dir, "--broker", "kafka"], workspace);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"src" is a symbolic link');
    expect(existsSync(join(dir, "evgen.yaml"))).toBe(false);
    expect(readdirSync(join(dir, "elsewhere"))).toEqual([]);
  });
});

describe("names every JavaScript object has", () => {
  const POLLUTING = `evgen: 1
service: shop
broker: kafka
events:
  order.created:
    schema:
      orderId: uuid
      "__proto__?": { type: object, properties: { x: string } }
consumers:
  mailer:
    on: [order.created]
    filter:
      data.__proto__.x: polluted
`;

  it("generate refuses __proto__ in a field and a filter path, without touching Object.prototype", async () => {
    const dir = project(POLLUTING);
    const run = await runCli(["generate"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain("unexpectedly");
    expect(run.stderr).toMatch(/evgen\.yaml:8:7 .*field name '__proto__' cannot be used/);
    expect(Object.prototype).not.toHaveProperty("x");
    expect(existsSync(join(dir, "src"))).toBe(false);
  });

  it("example payloads are built with own properties, even from names validation would refuse", async () => {
    const { buildIR } = await import("../../src/ir/build.js");
    const { projectView } = await import("../../src/render/view-model.js");
    const { specSchema } = await import("../../src/spec/schema/spec.js");
    const { parse } = await import("yaml");
    // Past validation on purpose: the view model must not assign through `__proto__` either.
    const ir = buildIR(specSchema.parse(parse(POLLUTING)));
    const view = projectView(ir, "// header");
    expect(Object.prototype).not.toHaveProperty("x");
    const testEvent = view.consumers[0]!.testEvent;
    expect(testEvent && testEvent.dataLiteral).toMatch(/__proto__[^\n]*\n\s*x: "polluted"/);
  });
});

describe("sizes", () => {
  it("a spec file over 1 MiB is refused without being read", async () => {
    const dir = project(`${SPEC}# ${"x".repeat(1024 * 1024)}\n`);
    for (const command of [["validate"], ["generate"], ["docs"]]) {
      const run = await runCli(command, dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/evgen\.yaml is \d+ bytes; evgen reads specs up to 1 MiB/);
    }
    expect(existsSync(join(dir, "src"))).toBe(false);
  });
});

describe("patterns that backtrack catastrophically", () => {
  beforeAll(() => buildIfStale(), 120_000);

  it("generate refuses them at once instead of hanging on a default value", async () => {
    const dir = project(`${SPEC}      name: { type: string, pattern: "^(a+)+$", default: "${"a".repeat(40)}!" }\n`);
    // A separate process with a deadline: a hanging pattern would block this one for good.
    const run = await new Promise<{ code: number | null; stderr: string; killed: boolean }>((resolve) => {
      const child = execFile(process.execPath, [BIN, "generate"], { cwd: dir, timeout: 30_000 }, (_, __, stderr) =>
        resolve({ code: child.exitCode, stderr, killed: child.killed }),
      );
    });
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("pattern can backtrack catastrophically: matching takes exponential time");
    expect(existsSync(join(dir, "src"))).toBe(false);
  }, 60_000);
});

describe("text from the spec in output", () => {
  it("validate shows control characters as escapes, in text and in JSON", async () => {
    const dir = project(
      `evgen: 1\nservice: "\\e[2J\\e]0;owned\\a"\nbroker: kafka\n"\\u009b31mkey": 1\nevents:\n  order.created:\n    schema: { id: uuid }\n`,
    );
    const text = await runCli(["validate"], dir);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("\\u001b[2J\\u001b]0;owned\\u0007");
    expect(text.stderr).toContain("\\u009b31mkey");
    expect(text.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const json = await runCli(["validate", "--format", "json"], dir);
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain("\\u001b[2J");
  });

  it("the generated README escapes HTML and Markdown from descriptions", async () => {
    const dir = project(
      `evgen: 1\nservice: shop\nbroker: kafka\ndescription: "<script>alert(1)</script> [click](javascript:alert(1))"\nevents:\n  order.created:\n    description: "<img src=x onerror=alert(1)> | second cell"\n    schema: { id: uuid }\n`,
    );
    expect((await runCli(["generate"], dir)).code).toBe(0);
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme).not.toMatch(/<script|<img|(?<!\\)\]\(javascript/);
    expect(readme).toContain("&lt;script&gt;alert(1)&lt;/script&gt; \\[click\\](javascript:alert(1))");
    expect(readme).toMatch(
      /\| `order\.created` \| 1 +\| yes +\| &lt;img src=x onerror=alert\(1\)&gt; \\\| second cell \|/,
    );
  });
});

describe("sizes of other input", () => {
  it("an AsyncAPI document over 8 MiB is refused without being read", async () => {
    const dir = join(workspace, uniqueName("import"));
    mkdirSync(dir);
    writeFileSync(join(dir, "api.yaml"), `asyncapi: 3.0.0\n# ${"x".repeat(8 * 1024 * 1024)}\n`);
    const run = await runCli(["import", "asyncapi", "api.yaml"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/api\.yaml is \d+ bytes; evgen reads AsyncAPI documents up to 8 MiB/);
    expect(existsSync(join(dir, "evgen.yaml"))).toBe(false);
  });
});
