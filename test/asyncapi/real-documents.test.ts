// Real AsyncAPI documents (test/fixtures/asyncapi/<source>/, each source with its licence):
// every one imports into a valid spec, the specs generate, and the generated projects type-check.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importAsyncApi } from "../../src/asyncapi/import/index.js";
import type { IR } from "../../src/ir/types.js";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT, runCli } from "../support/project.js";
import { irOf } from "./support.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "asyncapi");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** Each document with what its import must keep. */
const DOCUMENTS: Array<[string, (ir: IR) => void]> = [
  ["asyncapi-spec/adeo-kafka-request-reply.yml", (ir) => expect(ir.events.length).toBe(2)],
  ["asyncapi-spec/anyof.yml", (ir) => expect(ir.events.length).toBe(1)],
  ["asyncapi-spec/application-headers.yml", (ir) => expect(ir.events.length).toBe(1)],
  ["asyncapi-spec/correlation-id.yml", (ir) => expect(ir.events.length).toBe(2)],
  [
    "asyncapi-spec/gitter-streaming.yml",
    // The payload is JSON Schema in YAML (application/schema+yaml;version=draft-07).
    (ir) => expect(fieldsOf(ir, "gitter-streaming-api.chat-message")).toHaveLength(13),
  ],
  ["asyncapi-spec/oneof.yml", (ir) => expect(ir.events.length).toBe(5)],
  ["asyncapi-spec/rpc-server.yml", (ir) => expect(ir.events.length).toBe(2)],
  [
    "asyncapi-spec/simple.yml",
    (ir) => expect(fieldsOf(ir, "account-service.user-signed-up")).toEqual(["displayName?", "email?"]),
  ],
  [
    "asyncapi-spec/social-media/comments-service/asyncapi.yaml",
    // Messages and schemas live in ../common/*.yaml, reached by $refs to local files.
    (ir) => expect(fieldsOf(ir, "comments-service.comment-changed")).toEqual(["commentId?", "likeCount?"]),
  ],
  ["asyncapi-spec/streetlights-kafka.yml", (ir) => expect(ir.events.length).toBe(3)],
  ["faststream/kafka-router-prefix.json", (ir) => expect(ir.consumers.length).toBe(1)],
  ["faststream/rabbit-connection.json", (ir) => expect(ir.broker).toBe("rabbitmq")],
  ["faststream/rabbit-naming.json", (ir) => expect(ir.consumers.map((c) => c.group)).toEqual(["test"])],
  [
    "faststream/rabbit-router-prefix.json",
    // The queue and the routing key it is bound with (amqp operation binding cc) are kept.
    (ir) => {
      expect(ir.consumers.map((c) => c.group)).toEqual(["test_test"]);
      expect(ir.events.map((e) => e.routingKey)).toEqual(["test_key"]);
    },
  ],
  [
    "springwolf/amqp.json",
    // An event and a schema of the same name: the type is renamed, nothing is lost.
    (ir) => {
      expect(ir.types.map((t) => t.name)).toEqual(["IoGithubSpringwolfExamplesAmqpDtosExamplePayloadDtoType"]);
      // The documented queues, not <service>.<consumer> ones.
      expect(ir.consumers.map((c) => c.group)).toEqual(
        expect.arrayContaining([
          "another-queue",
          "example-queue",
          "multi-payload-queue",
          "queue-create",
          "queue-delete",
        ]),
      );
    },
  ],
  ["springwolf/cloud-stream.json", (ir) => expect(ir.events.length).toBeGreaterThan(0)],
  ["springwolf/jms.json", (ir) => expect(ir.events.length).toBeGreaterThan(0)],
  [
    "springwolf/kafka.json",
    // The documented consumer groups, as they are (no service prefix).
    (ir) =>
      expect(ir.consumers.map((c) => c.group)).toEqual(expect.arrayContaining(["example-group-id", "foo-groupId"])),
  ],
];

const fieldsOf = (ir: IR, type: string) =>
  ir.events
    .find((e) => e.type === type)!
    .versions.at(-1)!
    .fields.map((f) => `${f.name}${f.optional ? "?" : ""}`);

function importFixture(file: string) {
  const path = join(FIXTURES, file);
  return importAsyncApi(readFileSync(path, "utf8"), {
    sourceName: file,
    readFile: (relative) => {
      try {
        return readFileSync(join(dirname(path), relative), "utf8");
      } catch {
        return undefined;
      }
    },
  });
}

const workspace = join(REPO_ROOT, "test", ".tmp", uniqueName("real-asyncapi"));
beforeAll(() => mkdirSync(workspace, { recursive: true }));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("import of real AsyncAPI documents", () => {
  it.each(DOCUMENTS)("%s: imports into a valid spec that keeps what it says", (file, check) => {
    const result = importFixture(file);
    expect(result.issues.filter((issue) => issue.severity === "error")).toEqual([]);
    expect(result.ok).toBe(true);
    check(irOf(result.text));
  });

  it("evgen import asyncapi follows the document's $refs to the files beside it", async () => {
    const run = await runCli(
      ["import", "asyncapi", join(FIXTURES, "asyncapi-spec/social-media/comments-service/asyncapi.yaml"), "--out", "-"],
      workspace,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("likeCount?: {type: integer");
    expect(run.stderr).not.toContain("cannot be read");
  });

  it("every imported spec generates, and the generated projects type-check", async () => {
    for (const [file] of DOCUMENTS) {
      const dir = join(workspace, file.replace(/[^a-z0-9]+/gi, "-"));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "evgen.yaml"), importFixture(file).text);
      const run = await runCli(["generate"], dir);
      expect(run.code, `${file}: ${run.stderr}`).toBe(0);
    }
    // One compiler run over all projects, with the options of a generated tsconfig.json.
    const tsconfig = JSON.parse(readFileSync(join(workspace, readdirFirst(), "tsconfig.json"), "utf8"));
    writeFileSync(join(workspace, "tsconfig.json"), JSON.stringify({ ...tsconfig, include: ["*/src", "*/test"] }));
    const output = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [TSC, "-p", join(workspace, "tsconfig.json")],
        { cwd: workspace },
        (error, stdout, stderr) => resolve(error ? `${stdout}${stderr}` : ""),
      ),
    );
    expect(output).toBe("");
  }, 600_000);
});

function readdirFirst(): string {
  return DOCUMENTS[0]![0].replace(/[^a-z0-9]+/gi, "-");
}
